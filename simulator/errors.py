"""The one error type for user mistakes.

Anything a user can cause (bad file, unknown name, missing browser) raises
`HcisimError` with a message that reads well as a single line; `simulator.cli`
turns it into that line on stderr and a non-zero exit, without a traceback.
"""


class HcisimError(Exception):
    """A problem the user can fix; its message is shown as one line."""

    def __reduce__(self):
        # Errors cross from worker processes by pickle, which calls the class with its args (the message): a
        # subclass whose constructor takes other arguments (NotServed, Ambiguous) failed to come back ("missing 1
        # required positional argument"), which the engines take for a broken answer and retry as bad luck.
        return _rebuilt, (type(self), self.args), self.__dict__ or None


def _rebuilt(cls: type[HcisimError], args: tuple) -> HcisimError:
    """An error of class ``cls`` with ``args`` as made, its own constructor bypassed (see `HcisimError.__reduce__`)."""
    err = Exception.__new__(cls)
    err.args = args
    return err


class NotServed(HcisimError):
    """A server answered a page with an HTTP error (``status``): not the app, whatever its page says."""

    def __init__(self, url: str, status: int) -> None:
        super().__init__(f"app not reachable at {url}: the server answered HTTP {status}")
        self.status = status
