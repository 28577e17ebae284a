"""The run machinery: everything that runs a case as a batch and nothing else.

A run (:func:`models.run.runner.run_cases`) validates each case, computes every
option once (:mod:`models.engine.analysis`), writes a new run folder
(:mod:`models.run.runfolder`: a temporary folder renamed when complete, with its
``manifest.json``; ``latest`` points at the last complete run) and renders the
reports (:mod:`models.run.report_runner`).  Only this layer knows about worker
processes, Jupyter kernels, signals and progress bars; the layers below are
plain functions a notebook can call.

When forking is used.  On Linux, from a process that is not an IPython session
and runs no other thread, the reports run on worker processes forked from the
command once it has imported everything, each with a Jupyter kernel forked from
itself (:mod:`models.run.kernel_fork`): the imports are paid once, not once per
report.  Elsewhere (another system, inside IPython, another thread running, or
a kernel spec that runs another interpreter) kernels are launched as new
interpreters and driven from threads of the command
(:class:`models.run.report_runner.ReportWorkers`).

How to turn it off.  ``SHAREDCASE_FORK_KERNELS=0`` in the environment launches
every kernel as a new interpreter; the results and the reports are the same
either way (a test runs every report both ways and compares them).

Interrupts (:mod:`models.run.interrupt`): SIGINT or SIGTERM stops the workers
and kernels, keeps the unfinished run folder marked incomplete and leaves
``latest`` and earlier runs as they were; a kill the command cannot catch
(SIGKILL) takes its workers and kernels with it (:mod:`models.run.orphans`).
A run with any failed part is kept marked incomplete and never becomes
``latest`` (:mod:`models.run.runfolder`).  Progress bars
(:mod:`models.run.progress`) start no thread, so that a later batch of the same
command can still fork.
"""
