class DomainError(Exception):
    """A rule of the sales method refused an action; the message is written for the user who tried it."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)
