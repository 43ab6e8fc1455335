"""Personal information of objectors and reporters (个人信息保护法第二十八条, 第五十一条): masked for everyone but
the staff handling the case, and erased after the retention period."""

import re

EMAIL = re.compile(r"^([^@\s]+)@(.+)$")


def mask(value):
    """张三 → 张*, 欧阳娜娜 → 欧***, 13912340000 → 139****0000, 440301199001011234 → 440***********1234,
    name@example.com → n***@example.com. Empty stays empty; the same helper for names, phones and ID numbers."""
    value = (value or "").strip()
    if not value:
        return ""
    if match := EMAIL.match(value):
        local, domain = match.groups()
        return f"{local[0]}***@{domain}"
    if len(value) == 1:
        return "*"
    digits = sum(ch.isdigit() for ch in value)
    if digits >= 7:  # a phone or an ID number: keep the first 3 and the last 4 characters
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    if digits:  # a short number (an extension): keep only its last character
        return "*" * (len(value) - 1) + value[-1]
    return value[0] + "*" * (len(value) - 1)
