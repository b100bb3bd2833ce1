"""The one error type for user mistakes.

Anything a user can cause (bad file, unknown name, missing browser) raises
`HcisimError` with a message that reads well as a single line; `simulator.cli`
turns it into that line on stderr and a non-zero exit, without a traceback.
"""


class HcisimError(Exception):
    """A problem the user can fix; its message is shown as one line."""


class NotServed(HcisimError):
    """A server answered a page with an HTTP error (``status``): not the app, whatever its page says."""

    def __init__(self, url: str, status: int) -> None:
        super().__init__(f"app not reachable at {url}: the server answered HTTP {status}")
        self.status = status
