"""Arabic grammar the record's sentences need around a name they did not choose (the ordinals that agree
with «دورة» are in `ordinals`)."""


def after_li(name: str) -> str:
    """An Arabic name after the preposition «ل» (for, of), written as one word with it: «للمجلس الإداري»
    for «المجلس الإداري» (its «ا» falls: «ل» + «ال» is «لل»), «لمؤسسة…» otherwise."""
    return "ل" + name[1:] if name.startswith("ال") else "ل" + name
