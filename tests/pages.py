"""Reading a page back as its reader would: the text they see, and what element holds a given text."""

from html.parser import HTMLParser

from django.http import HttpResponse

# Elements a browser lays out apart from their neighbours: their texts do not run together.
_BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "ol", "ul", "li"}
_BLOCKS |= {"table", "tr", "th", "td", "main", "header", "footer", "nav", "section", "article"}
_VOID = {"meta", "link", "br", "img", "input", "hr"}


class _TextReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.in_head = self.in_head or tag == "head"
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.in_head = self.in_head and tag != "head"
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.in_head:
            self.parts.append(data)


def visible_text(response: HttpResponse) -> str:
    """The body's text: character references decoded, tags dropped, blocks apart, spaces collapsed."""
    reader = _TextReader()
    reader.feed(response.content.decode())
    return " ".join("".join(reader.parts).split())


class _Holders(HTMLParser):
    def __init__(self, needle: str) -> None:
        super().__init__(convert_charrefs=True)
        self.needle = needle
        self.open: list[tuple[str, dict]] = []
        self.found: list[tuple[str, str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in _VOID:
            self.open.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        while self.open and self.open.pop()[0] != tag:
            pass

    def handle_data(self, data: str) -> None:
        if self.needle in data:
            tag, attrs = self.open[-1]
            self.found.append((data.strip(), tag, attrs))


def innermost_elements(response: HttpResponse, holding: str) -> list[tuple[str, str, dict]]:
    """For each piece of text that holds `holding`: the text, then the tag and attributes around it."""
    holders = _Holders(holding)
    holders.feed(response.content.decode())
    return holders.found
