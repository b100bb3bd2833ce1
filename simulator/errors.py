"""The one error type for user mistakes.

Anything a user can cause (bad file, unknown name, missing browser) raises
`HcisimError` with a message that reads well as a single line; `simulator.cli`
turns it into that line on stderr and a non-zero exit, without a traceback.
"""


class HcisimError(Exception):
    """A problem the user can fix; its message is shown as one line."""
