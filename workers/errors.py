"""Errors a person running the service can fix, shown as one line instead of a traceback."""


class ServiceUnreachable(Exception):
    def __init__(self, service: str, where: str, detail: str) -> None:
        self.service = service
        self.where = where
        self.detail = detail
        super().__init__(f"{service} injoignable à {where} : {detail.splitlines()[0]}")
