from odoo import fields, models


class ResourceCalendarLeaves(models.Model):
    _inherit = "resource.calendar.leaves"

    care_holiday_id = fields.Many2one(
        "customer.care.holiday",
        string="Public Holiday",
        index="btree_not_null",
        ondelete="set null",
        help="The holiday in the holidays library this day off was filled from; care rules pick it.",
    )
