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
    TASK_STATUS_FAILED,
    TASK_STATUS_SUCCESS,
    Task,
    TaskMetadata,
    TaskSpec,
    all_of,
    any_of,
    engine_started,
    equal,
    event_value,
    fold,
    get_index,
    get_member,
    greater,
    guarded,
    interpolate,
    iterate,
    main,
    mark_secrets,
    not_,
    pipeline_value,
    std_env,
    std_format,
    std_join,
    std_len,
    std_parse_json,
    std_upper,
    task_event_reported,
    task_finished,
    task_finished_with_status,
    task_name,
    tasks_value,
    truthy,
)

SOURCE_PATH = 'features.oi'
SOURCE_SHA256 = '4c20e289d674e11ac697decfd736016be0e3c91a6d0bc93ab1a9fe806c0575e1'
COMPILER_VERSION = '0.1.0'
PIPELINE = pipeline_value('features')

# Source positions for error messages: SITES[n] is (file, line, column).
SITES = (
    ('features.oi', 7, 21),
    ('features.oi', 15, 42),
    ('features.oi', 16, 36),
    ('features.oi', 16, 84),
    ('features.oi', 16, 90),
    ('features.oi', 16, 97),
    ('features.oi', 16, 67),
    ('features.oi', 16, 103),
    ('features.oi', 16, 63),
    ('features.oi', 20, 8),
    ('features.oi', 24, 8),
    ('features.oi', 28, 32),
    ('features.oi', 28, 41),
    ('features.oi', 28, 48),
    ('features.oi', 28, 15),
    ('features.oi', 28, 54),
    ('features.oi', 29, 15),
    ('features.oi', 29, 29),
    ('features.oi', 30, 17),
    ('features.oi', 30, 29),
    ('features.oi', 32, 6),
    ('features.oi', 33, 10),
    ('features.oi', 35, 10),
    ('features.oi', 35, 60),
    ('features.oi', 35, 75),
    ('features.oi', 35, 89),
    ('features.oi', 35, 81),
    ('features.oi', 35, 45),
    ('features.oi', 39, 30),
    ('features.oi', 40, 8),
    ('features.oi', 40, 79),
    ('features.oi', 40, 88),
    ('features.oi', 40, 95),
    ('features.oi', 40, 62),
    ('features.oi', 40, 101),
    ('features.oi', 40, 58),
    ('features.oi', 40, 39),
    ('features.oi', 43, 9),
    ('features.oi', 43, 43),
    ('features.oi', 44, 8),
    ('features.oi', 44, 67),
    ('features.oi', 44, 76),
    ('features.oi', 47, 9),
    ('features.oi', 47, 48),
    ('features.oi', 47, 56),
    ('features.oi', 47, 61),
    ('features.oi', 47, 42),
    ('features.oi', 48, 8),
    ('features.oi', 48, 57),
)

SCHEMAS_0 = {
    'call/arguments.json': '{"$schema": "http://json-schema.org/draft-07/schema#", "additionalProperties": false, "description": "Send one HTTP request. Its answer is returned whatever the status, unless ExpectStatus lists the statuses that succeed: then any other status fails the call.", "properties": {"Content": {"description": "request body, sent as UTF-8 text", "type": "string"}, "ExpectStatus": {"description": "statuses that succeed, each a code (200) or a class (\\"2xx\\"); any other status fails the task (default: every status succeeds)", "items": {"maximum": 599, "minimum": 100, "pattern": "^[1-5]xx$", "type": ["integer", "string"]}, "minItems": 1, "type": "array"}, "Headers": {"description": "request headers", "items": {"additionalProperties": false, "properties": {"Name": {"description": "header name", "type": "string"}, "Value": {"description": "header value", "type": "string"}}, "required": ["Name", "Value"], "type": "object"}, "type": "array"}, "Timeout": {"description": "seconds to wait for the answer (default 30)", "exclusiveMinimum": 0, "type": "number"}, "URL": {"description": "absolute http(s) URL to call", "minLength": 1, "type": "string"}, "Verb": {"description": "HTTP method", "enum": ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"], "type": "string"}}, "required": ["Verb", "URL"], "title": "http.call arguments", "type": "object"}',
    'call/returns.json': '{"$schema": "http://json-schema.org/draft-07/schema#", "additionalProperties": false, "description": "The answer to the request.", "properties": {"Body": {"description": "response body decoded as UTF-8 (invalid bytes replaced)", "type": "string"}, "Headers": {"description": "response headers", "items": {"additionalProperties": false, "properties": {"Name": {"description": "header name", "type": "string"}, "Value": {"description": "header value", "type": "string"}}, "required": ["Name", "Value"], "type": "object"}, "type": "array"}, "Status": {"description": "HTTP status code", "type": "integer"}}, "required": ["Status", "Headers", "Body"], "title": "http.call returns", "type": "object"}',
}

SCHEMAS_1 = {
    'command/arguments.json': '{"$schema": "http://json-schema.org/draft-07/schema#", "additionalProperties": false, "description": "Run a command, its output going to the task log: Command, a command line run by /bin/sh -c, or Args, a program and its arguments run without a shell (give exactly one).", "oneOf": [{"required": ["Command"]}, {"required": ["Args"]}], "properties": {"Args": {"description": "a program (found on PATH) and its arguments, each passed as it is, without a shell", "items": {"type": "string"}, "minItems": 1, "type": "array"}, "Command": {"description": "a command line, run by /bin/sh -c", "minLength": 1, "type": "string"}, "Directory": {"description": "working directory (default: the service\'s)", "type": "string"}, "Timeout": {"description": "seconds before the command is killed (default: none)", "exclusiveMinimum": 0, "type": "number"}}, "title": "exec.command arguments", "type": "object"}',
    'command/returns.json': '{"$schema": "http://json-schema.org/draft-07/schema#", "additionalProperties": false, "description": "How the command ended. A non-zero exit fails the call instead.", "properties": {"ExitCode": {"description": "the command\'s exit status (0)", "type": "integer"}, "Stdout": {"description": "everything the command wrote to standard output", "type": "string"}}, "required": ["ExitCode", "Stdout"], "title": "exec.command returns", "type": "object"}',
}

SERVICES = (
    Service('web', name='http', version='0.1.0', path='', builtin=True, image='', schemas=SCHEMAS_0),
    Service('shell', name='exec', version='0.1.0', path='', builtin=True, image='', schemas=SCHEMAS_1),
)


def default_0(params):
    return std_env(SITES[0], 'OI_WHO', 'world')


def default_1(params):
    return 't0ken'


def default_2(params):
    return 2


def default_3(params):
    return ['a', 'b']


def condition_0(params, local_0):
    return task_finished_with_status(task_name(local_0, SITES[1]), TASK_STATUS_SUCCESS)


def condition_1(params, local_1):
    return guarded(task_finished_with_status(task_name(local_1, SITES[2]), TASK_STATUS_SUCCESS), lambda event, state: greater(std_len(SITES[8], get_member(std_parse_json(SITES[6], fold(tasks_value(state), (get_index, local_1, SITES[3]), (get_member, 'output', SITES[4]), (get_member, 'Body', SITES[5]))), 'items', SITES[7])), params['limit'], SITES[8]))


def builder_0(params, event, state, tasks_list, local_2, local_3):
    let_0 = interpolate('label ', local_2, ' #', local_3)
    tasks_list.append(Task(
        TaskMetadata(task_name(interpolate('notify-', local_2), SITES[9]), reusable=True, timeout=30.0, retry=RetryPolicy(attempts=3, backoff=0.5)),
        TaskSpec('shell', 'command', (
            Argument('Command', let_0),
        )),
    ))


def when_0(params):
    return engine_started


def reaction_0(params, event, state):
    tasks_list = []
    tasks_list.append(Task(
        TaskMetadata(task_name('fetch', SITES[10]), reusable=False, timeout=None, retry=RetryPolicy(attempts=1, backoff=0.0)),
        TaskSpec('web', 'call', (
            Argument('Verb', 'GET'),
            Argument('URL', 'http://127.0.0.1:1/items'),
            Argument('Headers', [{'Name': 'Authorization', 'Value': interpolate('Bearer ', params['token'])}]),
        )),
    ))
    return tasks_list


def when_1(params):
    return condition_0(params, 'fetch')


def reaction_1(params, event, state):
    tasks_list = []
    let_1 = get_member(std_parse_json(SITES[14], fold(tasks_value(state), (get_index, 'fetch', SITES[11]), (get_member, 'output', SITES[12]), (get_member, 'Body', SITES[13]))), 'items', SITES[15])
    for loop_0 in iterate(let_1, SITES[16]):
        if not truthy(get_member(loop_0, 'done', SITES[17])):
            continue
        builder_0(params, event, state, tasks_list, get_member(loop_0, 'label', SITES[18]), get_member(loop_0, 'n', SITES[19]))
    if equal(std_len(SITES[20], let_1), 0):
        tasks_list.append(Task(
            TaskMetadata(task_name('empty', SITES[21]), reusable=False, timeout=None, retry=RetryPolicy(attempts=1, backoff=0.0)),
            TaskSpec('shell', 'command', (
                Argument('Command', 'echo nothing'),
            )),
        ))
    else:
        tasks_list.append(Task(
            TaskMetadata(task_name('summary', SITES[22]), reusable=False, timeout=None, retry=RetryPolicy(attempts=1, backoff=0.0)),
            TaskSpec('shell', 'command', (
                Argument('Command', std_join(SITES[27], [std_upper(SITES[26], get_member(item_0, 'label', SITES[25])) for item_0 in iterate(let_1, SITES[23]) if (not truthy(get_member(item_0, 'done', SITES[24])))], ',')),
            )),
        ))
    return tasks_list


def when_2(params):
    return all_of(condition_1(params, 'fetch'), not_(task_finished(task_name('empty', SITES[28]))))


def reaction_2(params, event, state):
    tasks_list = []
    tasks_list.append(Task(
        TaskMetadata(task_name('big', SITES[29]), reusable=False, timeout=None, retry=RetryPolicy(attempts=1, backoff=0.0)),
        TaskSpec('shell', 'command', (
            Argument('Command', std_format(SITES[36], '{} items', std_len(SITES[35], get_member(std_parse_json(SITES[33], fold(tasks_value(state), (get_index, 'fetch', SITES[30]), (get_member, 'output', SITES[31]), (get_member, 'Body', SITES[32]))), 'items', SITES[34])))),
        )),
    ))
    return tasks_list


def when_3(params):
    return any_of(task_finished_with_status(task_name('fetch', SITES[37]), TASK_STATUS_FAILED), task_finished_with_status(task_name('summary', SITES[38]), TASK_STATUS_FAILED))


def reaction_3(params, event, state):
    tasks_list = []
    tasks_list.append(Task(
        TaskMetadata(task_name('alarm', SITES[39]), reusable=True, timeout=None, retry=RetryPolicy(attempts=1, backoff=0.0)),
        TaskSpec('shell', 'command', (
            Argument('Command', interpolate('failed: ', fold(tasks_value(state), (get_index, 'fetch', SITES[40]), (get_member, 'error', SITES[41])))),
        )),
    ))
    return tasks_list


def when_4(params):
    return guarded(task_event_reported(task_name('fetch', SITES[42]), 'progress'), lambda event, state: greater(fold(event_value(event), (get_member, 'payload', SITES[43]), (get_member, 'data', SITES[44]), (get_member, 'percent', SITES[45])), 50, SITES[46]))


def reaction_4(params, event, state):
    tasks_list = []
    tasks_list.append(Task(
        TaskMetadata(task_name('half', SITES[47]), reusable=False, timeout=None, retry=RetryPolicy(attempts=1, backoff=0.0)),
        TaskSpec('shell', 'command', (
            Argument('Command', interpolate('echo ', get_member(PIPELINE, 'name', SITES[48]), ' half')),
        )),
    ))
    return tasks_list


# The pipeline's reaction graph (what `oic graph` draws), for the run's report.html.
GRAPH = {
    "nodes": [
        {'id': 'n0', 'kind': 'task-pattern', 'lines': ['notify-${label}'], 'loop': False},
        {'id': 'n1', 'kind': 'task', 'lines': ['fetch'], 'loop': False},
        {'id': 'n2', 'kind': 'task', 'lines': ['empty'], 'loop': False},
        {'id': 'n3', 'kind': 'task', 'lines': ['summary'], 'loop': False},
        {'id': 'n4', 'kind': 'task', 'lines': ['big'], 'loop': False},
        {'id': 'n5', 'kind': 'task', 'lines': ['alarm'], 'loop': False},
        {'id': 'n6', 'kind': 'task', 'lines': ['half'], 'loop': False},
        {'id': 'n7', 'kind': 'builder', 'lines': ['builder notify(label, n)'], 'loop': False},
        {'id': 'n8', 'kind': 'reaction', 'lines': ['reaction (line 23)'], 'loop': False},
        {'id': 'n9', 'kind': 'event', 'lines': ['engine.started'], 'loop': False},
        {'id': 'n10', 'kind': 'reaction', 'lines': ['reaction (line 27)'], 'loop': False},
        {'id': 'n11', 'kind': 'condition', 'lines': ['succeeded("fetch")'], 'loop': False},
        {'id': 'n12', 'kind': 'reaction', 'lines': ['reaction (line 39)'], 'loop': False},
        {'id': 'n13', 'kind': 'junction', 'lines': ['and'], 'loop': False},
        {'id': 'n14', 'kind': 'condition', 'lines': ['big("fetch")', 'if len(parse_json(tasks[name].output.Body).items) > limit'], 'loop': False},
        {'id': 'n15', 'kind': 'junction', 'lines': ['not'], 'loop': False},
        {'id': 'n16', 'kind': 'reaction', 'lines': ['reaction (line 43)'], 'loop': False},
        {'id': 'n17', 'kind': 'junction', 'lines': ['or'], 'loop': False},
        {'id': 'n18', 'kind': 'reaction', 'lines': ['reaction (line 47)', 'if event.payload.data.percent > 50'], 'loop': False},
    ],
    "edges": [
        {'source': 'n7', 'target': 'n0', 'kind': 'builds', 'label': '', 'loop': False},
        {'source': 'n9', 'target': 'n8', 'kind': 'triggers', 'label': '', 'loop': False},
        {'source': 'n8', 'target': 'n1', 'kind': 'builds', 'label': '', 'loop': False},
        {'source': 'n1', 'target': 'n11', 'kind': 'succeeded', 'label': 'finished(success)', 'loop': False},
        {'source': 'n11', 'target': 'n10', 'kind': 'triggers', 'label': '', 'loop': False},
        {'source': 'n10', 'target': 'n7', 'kind': 'calls', 'label': 'for item in items if item.done', 'loop': True},
        {'source': 'n10', 'target': 'n2', 'kind': 'builds', 'label': '', 'loop': False},
        {'source': 'n10', 'target': 'n3', 'kind': 'builds', 'label': '', 'loop': False},
        {'source': 'n1', 'target': 'n14', 'kind': 'succeeded', 'label': 'finished(success)', 'loop': False},
        {'source': 'n14', 'target': 'n13', 'kind': 'triggers', 'label': '', 'loop': False},
        {'source': 'n2', 'target': 'n15', 'kind': 'finished', 'label': 'finished', 'loop': False},
        {'source': 'n15', 'target': 'n13', 'kind': 'triggers', 'label': '', 'loop': False},
        {'source': 'n13', 'target': 'n12', 'kind': 'triggers', 'label': '', 'loop': False},
        {'source': 'n12', 'target': 'n4', 'kind': 'builds', 'label': '', 'loop': False},
        {'source': 'n1', 'target': 'n17', 'kind': 'failed', 'label': 'finished(failed)', 'loop': False},
        {'source': 'n3', 'target': 'n17', 'kind': 'failed', 'label': 'finished(failed)', 'loop': False},
        {'source': 'n17', 'target': 'n16', 'kind': 'triggers', 'label': '', 'loop': False},
        {'source': 'n16', 'target': 'n5', 'kind': 'builds', 'label': '', 'loop': False},
        {'source': 'n1', 'target': 'n18', 'kind': 'reported', 'label': 'reported("progress")', 'loop': False},
        {'source': 'n18', 'target': 'n6', 'kind': 'builds', 'label': '', 'loop': False},
    ],
}


def build(params):
    params = mark_secrets(params, ('token',))
    reactions = (
        EventReaction(when_0(params), lambda event, state: reaction_0(params, event, state)),
        EventReaction(when_1(params), lambda event, state: reaction_1(params, event, state)),
        EventReaction(when_2(params), lambda event, state: reaction_2(params, event, state)),
        EventReaction(when_3(params), lambda event, state: reaction_3(params, event, state)),
        EventReaction(when_4(params), lambda event, state: reaction_4(params, event, state)),
    )
    return Pipeline(
        PipelineMetadata('features', os='', architecture=''),
        PipelineSpec(services=SERVICES, reactions=reactions),
    )


PROGRAM = ProgramSpec(
    name='features',
    params=(
        ParamSpec('who', 'string', required=False, default=default_0),
        ParamSpec('token', 'secret', required=False, default=default_1),
        ParamSpec('limit', 'number', required=False, default=default_2),
        ParamSpec('labels', 'list[string]', required=False, default=default_3),
    ),
    build=build,
    source_path=SOURCE_PATH,
    source_sha256=SOURCE_SHA256,
    compiler_version=COMPILER_VERSION,
    os='',
    arch='',
    parallelism=4,
    timeout=120.0,
    graph=GRAPH,
)

if __name__ == "__main__":
    main(PROGRAM)
