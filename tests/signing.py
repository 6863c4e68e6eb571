"""What the signing tests share: the minutes they sign, and how they sign them."""

OPENING = "افتتح السيد الرئيس الجلسة بكلمة رحب فيها بأعضاء المجلس"
SIGN = {"reason": "محضر الدورة الثانية برسم سنة 2025", "location": "الرباط"}
