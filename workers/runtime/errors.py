"""Errors a person running the service can fix, shown as one line instead of a traceback."""


class ServiceUnreachable(Exception):
    def __init__(self, service: str, where: str, setting: str, detail: str) -> None:
        self.service = service
        self.where = where
        super().__init__(
            f"{service} injoignable à {where} (réglage {setting}) : {detail.splitlines()[0]}"
        )
