from odoo import api, fields, models
from odoo.tools import SQL

from ..models.customer_tier import COMPUTED_TABLE
from ..models.notification import notify_and_close


class CustomerTierRecompute(models.TransientModel):
    _name = "customer.tier.recompute"
    _description = "Recompute Customer Tiers"

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company, readonly=True)
    line_ids = fields.One2many("customer.tier.recompute.line", "wizard_id", string="Preview", readonly=True)
    moved_up_count = fields.Integer(compute="_compute_totals")
    moved_down_count = fields.Integer(compute="_compute_totals")
    stay_count = fields.Integer(compute="_compute_totals")
    new_count = fields.Integer(compute="_compute_totals")

    @api.depends("line_ids")
    def _compute_totals(self):
        for wizard in self:
            wizard.moved_up_count = sum(wizard.line_ids.mapped("moved_up_count"))
            wizard.moved_down_count = sum(wizard.line_ids.mapped("moved_down_count"))
            wizard.stay_count = sum(wizard.line_ids.mapped("stay_count"))
            wizard.new_count = sum(wizard.line_ids.mapped("new_count"))

    @api.model
    def default_get(self, fields_list):
        # The preview is there when the dialog opens: the lines are defaults, not computed on save.
        defaults = super().default_get(fields_list)
        if "line_ids" in fields_list:
            company = self.env["res.company"].browse(defaults.get("company_id")) or self.env.company
            defaults["line_ids"] = [fields.Command.create(vals) for vals in self._preview_lines(company)]
        return defaults

    @api.model
    def _preview_lines(self, company):
        """Counts per resulting tier of the customers who would move up, down, stay or be
        classified for the first time; nothing is written to the customers."""
        self.env["customer.tier"]._build_computed_table(company)
        rows = self.env.execute_query(
            SQL(
                """SELECT c.tier_id,
                          COUNT(*) FILTER (WHERE %(direction)s = 'new'),
                          COUNT(*) FILTER (WHERE %(direction)s = 'up'),
                          COUNT(*) FILTER (WHERE %(direction)s = 'down'),
                          COUNT(*) FILTER (WHERE c.tier_id = c.old_tier_id),
                          SUM(c.value)
                     FROM %(table)s c
                     JOIN customer_tier new ON new.id = c.tier_id
                LEFT JOIN customer_tier old ON old.id = c.old_tier_id
                 GROUP BY c.tier_id, new.sequence
                 ORDER BY new.sequence, c.tier_id""",
                # the direction of each move, by the rule of customer.tier's _move_direction
                direction=self.env["customer.tier"]._move_direction_sql("old", "new"),
                table=SQL.identifier(COMPUTED_TABLE),
            )
        )
        self.env.cr.execute(SQL("DROP TABLE %s", SQL.identifier(COMPUTED_TABLE)))
        return [
            {
                "tier_id": tier_id,
                "new_count": new,
                "moved_up_count": up,
                "moved_down_count": down,
                "stay_count": stay,
                "value": value,
            }
            for tier_id, new, up, down, stay, value in rows
        ]

    def action_apply(self):
        self.ensure_one()
        result = self.env["customer.tier"]._recompute_company_tiers(self.company_id)
        return notify_and_close(
            self.env._(
                "Customer tiers recomputed: %(up)s moved up, %(down)s moved down, %(new)s classified.",
                up=result["up"],
                down=result["down"],
                new=result["new"],
            )
        )
