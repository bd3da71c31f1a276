"""Generated pipelines of a given size, for the compiler benchmarks.

A chain of reactions, each building one task from the previous one's success, with a `let`, string
interpolation and a comprehension, so that every stage of the checker has work to do.
"""

from __future__ import annotations


def chain_pipeline(lines: int) -> str:
    """A pipeline of about ``lines`` lines that checks clean."""
    out = [
        'pipeline "bench" {}',
        "",
        'param greeting: string = "hello"',
        "param count: integer = 3",
        "",
        'service shell = catalog "exec"',
        "",
        "on engine.started {",
        '  task "t0" = shell.command(Command: "echo ${greeting}")',
        "}",
        "",
    ]
    index = 1
    while len(out) < lines:
        out += [
            f'on task("t{index - 1}").finished(success) {{',
            f'  let words = [for n in range(count) if n != {index % 3}: "w${{n}}"]',
            f'  task "t{index}" = shell.command(Command: "echo ${{greeting}} {index} ${{join(words, " ")}}")',
            "}",
            "",
        ]
        index += 1
    return "\n".join(out) + "\n"


def minimal_pipeline(word: str = "ready") -> str:
    """One service and one task: the smallest pipeline that starts a service and calls it."""
    return "\n".join(
        [
            'pipeline "minimal" {}',
            "",
            'service shell = catalog "exec"',
            "",
            "on engine.started {",
            f'  task "only" = shell.command(Command: "echo {word}")',
            "}",
            "",
        ]
    )


if __name__ == "__main__":
    import sys

    sys.stdout.write(chain_pipeline(int(sys.argv[1]) if len(sys.argv) > 1 else 100))
