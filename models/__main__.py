"""``python -m models`` and the ``sharedcase`` console script: the command.

Ctrl-C (SIGINT) at any moment ends the command with one line on stderr and exit
status 130, never a traceback, from the first line of this module on: while
the command's modules are still being imported (the first second), in any
command, and during a run (where :func:`models.run.interrupt.signals_raise`
also stops the run's children and keeps its folder marked incomplete).

The command's modules are imported only once SIGINT is set to raise
:class:`models.run.interrupt.Terminated`, which click lets through (it turns a
``KeyboardInterrupt`` into ``Aborted!`` and exit status 1).  Only a signal
that arrives while the interpreter itself starts, before any line of the
package runs, is handled by Python as usual.
"""

import sys


def _interrupted(signum: int = 2) -> None:
    """One line on stderr; exit ``128 + signum`` (130 for SIGINT)."""
    name = {2: "SIGINT", 15: "SIGTERM"}.get(signum, f"signal {signum}")
    sys.stderr.write(
        f"interrupted by {name}: stopped before finishing; "
        "nothing it was writing was kept\n"
    )
    sys.exit(128 + signum)


def main() -> None:
    """Run the ``sharedcase`` command (see module doc)."""
    try:
        from models.run.interrupt import Terminated, raise_terminated_on_sigint

        raise_terminated_on_sigint()
    except KeyboardInterrupt:  # before the handler was in place
        _interrupted()
    try:
        from models.cli import main as command

        command()
    except KeyboardInterrupt:
        _interrupted()
    except Terminated as exc:
        _interrupted(exc.signum)


if __name__ == "__main__":
    main()
