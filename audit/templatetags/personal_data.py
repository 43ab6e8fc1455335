from django import template

from audit.personal_data import mask as mask_value

register = template.Library()


@register.filter
def mask(value):
    """``{{ objection.objector_phone|mask }}``: the masked form of a name, phone or ID number."""
    return mask_value(str(value) if value is not None else "")


@register.filter
def unless_handler(value, handles):
    """``{{ name|unless_handler:handles }}``: the value itself for the staff handling the case, else masked."""
    return value if handles else mask(value)


@register.simple_tag
def personal_data_retention_days():
    from audit.retention import personal_data_retention_days as days

    return days()
