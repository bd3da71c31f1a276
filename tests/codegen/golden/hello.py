"""A pipeline compiled by oic: generated code, edit the .oi source and compile again.

It builds the pipeline from the runtime's exported names only and hands it to the binary's command line.
"""

from __future__ import annotations

from runtime.exported import (
    Argument,
    EventReaction,
    ParamSpec,
    Pipeline,
    PipelineMetadata,
    PipelineSpec,
    ProgramSpec,
    RetryPolicy,
    Service,
    TASK_STATUS_SUCCESS,
    Task,
    TaskMetadata,
    TaskSpec,
    engine_started,
    interpolate,
    main,
    mark_secrets,
    pipeline_value,
    task_finished_with_status,
    task_name,
)

SOURCE_PATH = 'hello.oi'
SOURCE_SHA256 = '7a9468baabbe6286951c3cca7317865f2c4c273ec232c615073707ce54e0052a'
COMPILER_VERSION = '0.1.0'
PIPELINE = pipeline_value('hello')

# Source positions for error messages: SITES[n] is (file, line, column).
SITES = (
    ('hello.oi', 9, 8),
    ('hello.oi', 12, 9),
    ('hello.oi', 13, 8),
)

SCHEMAS_0 = {
    'command/arguments.json': '{"$schema": "http://json-schema.org/draft-07/schema#", "additionalProperties": false, "description": "Run a command, its output going to the task log: Command, a command line run by /bin/sh -c, or Args, a program and its arguments run without a shell (give exactly one).", "oneOf": [{"required": ["Command"]}, {"required": ["Args"]}], "properties": {"Args": {"description": "a program (found on PATH) and its arguments, each passed as it is, without a shell", "items": {"type": "string"}, "minItems": 1, "type": "array"}, "Command": {"description": "a command line, run by /bin/sh -c", "minLength": 1, "type": "string"}, "Directory": {"description": "working directory (default: the service\'s)", "type": "string"}, "Timeout": {"description": "seconds before the command is killed (default: none)", "exclusiveMinimum": 0, "type": "number"}}, "title": "exec.command arguments", "type": "object"}',
    'command/returns.json': '{"$schema": "http://json-schema.org/draft-07/schema#", "additionalProperties": false, "description": "How the command ended. A non-zero exit fails the call instead.", "properties": {"ExitCode": {"description": "the command\'s exit status (0)", "type": "integer"}, "Stdout": {"description": "everything the command wrote to standard output", "type": "string"}}, "required": ["ExitCode", "Stdout"], "title": "exec.command returns", "type": "object"}',
}

SERVICES = (
    Service('shell', name='exec', version='0.1.0', path='', builtin=True, image='', schemas=SCHEMAS_0),
)


def default_0(params):
    return 'world'


def when_0(params):
    return engine_started


def reaction_0(params, event, state):
    tasks_list = []
    tasks_list.append(Task(
        TaskMetadata(task_name('greet', SITES[0]), reusable=False, timeout=None, retry=RetryPolicy(attempts=1, backoff=0.0)),
        TaskSpec('shell', 'command', (
            Argument('Command', interpolate('echo hello, ', params['who'])),
        )),
    ))
    return tasks_list


def when_1(params):
    return task_finished_with_status(task_name('greet', SITES[1]), TASK_STATUS_SUCCESS)


def reaction_1(params, event, state):
    tasks_list = []
    tasks_list.append(Task(
        TaskMetadata(task_name('done', SITES[2]), reusable=False, timeout=None, retry=RetryPolicy(attempts=1, backoff=0.0)),
        TaskSpec('shell', 'command', (
            Argument('Command', 'echo the greeting went out'),
        )),
    ))
    return tasks_list


# The pipeline's reaction graph (what `oic graph` draws), for the run's report.html.
GRAPH = {
    "nodes": [
        {'id': 'n0', 'kind': 'task', 'lines': ['greet'], 'loop': False},
        {'id': 'n1', 'kind': 'task', 'lines': ['done'], 'loop': False},
        {'id': 'n2', 'kind': 'reaction', 'lines': ['reaction (line 8)'], 'loop': False},
        {'id': 'n3', 'kind': 'event', 'lines': ['engine.started'], 'loop': False},
        {'id': 'n4', 'kind': 'reaction', 'lines': ['reaction (line 12)'], 'loop': False},
    ],
    "edges": [
        {'source': 'n3', 'target': 'n2', 'kind': 'triggers', 'label': '', 'loop': False},
        {'source': 'n2', 'target': 'n0', 'kind': 'builds', 'label': '', 'loop': False},
        {'source': 'n0', 'target': 'n4', 'kind': 'succeeded', 'label': 'finished(success)', 'loop': False},
        {'source': 'n4', 'target': 'n1', 'kind': 'builds', 'label': '', 'loop': False},
    ],
}


def build(params):
    params = mark_secrets(params, ())
    reactions = (
        EventReaction(when_0(params), lambda event, state: reaction_0(params, event, state)),
        EventReaction(when_1(params), lambda event, state: reaction_1(params, event, state)),
    )
    return Pipeline(
        PipelineMetadata('hello', os='', architecture=''),
        PipelineSpec(services=SERVICES, reactions=reactions),
    )


PROGRAM = ProgramSpec(
    name='hello',
    params=(
        ParamSpec('who', 'string', required=False, default=default_0),
    ),
    build=build,
    source_path=SOURCE_PATH,
    source_sha256=SOURCE_SHA256,
    compiler_version=COMPILER_VERSION,
    os='',
    arch='',
    parallelism=None,
    timeout=None,
    graph=GRAPH,
)

if __name__ == "__main__":
    main(PROGRAM)
