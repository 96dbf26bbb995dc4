#!/usr/bin/python3
"""getmail6 (Debian's /usr/bin/getmail) with one race removed, for the
getmail6 rows of bench/fetch/run.py; arguments as for getmail.

getmail 6.18.11 delivers each message in a forked child and waits for it
with a SIGCHLD handler that it installs only after fork() returns in the
parent. When the child exits first (a loaded machine: the parent waits for
a CPU), the signal is lost, the parent waits 60 s on a condition and the
run aborts with "operation error (waiting child pid N timed out)" - here
after 2,446 and 3,166 of the 10,000 messages. This wrapper makes the parent
wait with os.waitpid() instead; the work per message (fork, flatten the
message, write, fsync) is unchanged.
"""

import os
import runpy
import sys

from getmailcore import baseclasses
from getmailcore.exceptions import getmailOperationError


def _prepare_child(self):
    pass


def _wait_for_child(self, childpid):
    pid, status = os.waitpid(childpid, 0)
    if os.WIFSIGNALED(status):
        raise getmailOperationError(f"child pid {pid} killed by signal {os.WTERMSIG(status)}")
    if not os.WIFEXITED(status):
        raise getmailOperationError(f"child pid {pid} failed to exit")
    return os.WEXITSTATUS(status)


baseclasses.ForkingBase._prepare_child = _prepare_child
baseclasses.ForkingBase._wait_for_child = _wait_for_child
sys.argv[0] = "/usr/bin/getmail"
runpy.run_path("/usr/bin/getmail", run_name="__main__")
