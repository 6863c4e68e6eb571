"""What the lifecycle tells the secretariat and the board members, as the Arabic catalogue words it
(locale/ar/LC_MESSAGES/django.po): the tests run in Arabic, the site's default language."""

NOT_POSSIBLE = "هذا غير ممكن والمحضر «{}»."  # with the state's Arabic name
STATE_NAMES = {
    "draft": "مسودة",
    "in_review": "قيد المراجعة",
    "approved": "مصادق عليه",
    "signed": "موقع",
    "published": "منشور",
}
NOW_IN_STATE = "المحضر الآن «{}»."
REASON_TO_RETURN = "اذكر سبب إرجاع المحضر إلى المسودة."
REASON_TO_CORRECT = "اذكر سبب تصحيح المحضر الموقع."
ALREADY_DRAFTING = "محضر هذه الدورة في طور التحرير."
ONLY_SECRETARIAT = "كتابة المجلس وحدها تنقل المحضر من مرحلة إلى أخرى."
ONLY_APPROVERS = "لا يصادق على المحضر إلا رئيس المجلس ومقرره."
SECRETARIAT_NEVER_APPROVES = "لا يصادق حساب الكتابة أو حساب مسؤول النظام على المحضر أبدا."
ALREADY_APPROVED = "هذه المصادقة مسجلة من قبل."
APPROVALS_WITHDRAWN = "تغير السجل بعد المصادقة، فسُحبت المصادقات."
APPROVALS_OUTDATED = "المصادقات لم تعد مطابقة للسجل."
FROZEN = "محضر هذه الدورة موقع: لم يعد من الممكن تعديل سجلها. يتم أي تصحيح في صيغة جديدة من المحضر."


def not_possible(state: str) -> str:
    return NOT_POSSIBLE.format(STATE_NAMES[state])
