"""Domain errors. Each surface maps them to its own status codes."""


class ProfileError(Exception):
    """Base of the errors a caller can be told about."""

    code = "INTERNAL_SERVER_ERROR"


class InvalidInput(ProfileError):
    code = "BAD_USER_INPUT"

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")


class NotAllowed(ProfileError):
    code = "FORBIDDEN"

    def __init__(self, user_id: str) -> None:
        self.user_id = user_id
        super().__init__(
            "only the profile's owner or a caller with the profiles:admin scope "
            "may change it"
        )


class StaleProfile(ProfileError):
    """An update was conditional on a version of the profile that is no longer current."""

    code = "PRECONDITION_FAILED"

    def __init__(self, user_id: str) -> None:
        self.user_id = user_id
        super().__init__("the profile has changed since it was read")


class StoreUnavailable(ProfileError):
    code = "SERVICE_UNAVAILABLE"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__("the profile store is unavailable, try again shortly")


class TokenRejected(ProfileError):
    code = "UNAUTHENTICATED"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__("a valid Bearer token is required")
