from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..models.notification import notify_and_close


class CustomerLossMark(models.TransientModel):
    _name = "customer.loss.mark"
    _description = "Mark Customers as Lost"

    partner_ids = fields.Many2many("res.partner", string="Customers", required=True)
    reason_id = fields.Many2one("customer.loss.reason", string="Loss Reason", required=True)
    note = fields.Text(help="What happened, and whether the customer could be won back.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "res.partner" and "partner_ids" in fields_list:
            partners = self.env["res.partner"].browse(self.env.context.get("active_ids", []))
            values["partner_ids"] = [fields.Command.set(partners.commercial_partner_id.ids)]
        return values

    def action_apply(self):
        self.ensure_one()
        customers = self.partner_ids.commercial_partner_id
        if not customers:
            raise UserError(self.env._("Choose the customers that were lost."))
        company = self.env.company
        lost_values = self._lost_values(customers, company)
        today = fields.Date.context_today(self)
        for customer in customers:
            # The account fields change only through the addon's actions, in sudo (README, "Access");
            # this wizard is for managers only (its access rights).
            customer.sudo().write(
                {
                    "loss_reason_id": self.reason_id.id,
                    "loss_date": today,
                    "loss_note": self.note,
                    "lost_value": lost_values.get(customer.id, 0.0),
                }
            )
        self.env["customer.care.action"]._resolve_for("lost", customers)  # README, "Care rules"
        customers._message_log_batch(
            {
                customer.id: self.env._(
                    "Marked as lost for %(company)s: %(reason)s. %(note)s",
                    company=company.name,
                    reason=self.reason_id.name,
                    note=self.note or "",
                )
                for customer in customers
            }
        )
        return notify_and_close(
            self.env._(
                "Marked as lost: %(customers)s (%(reason)s).",
                customers=", ".join(customers.mapped("display_name")),
                reason=self.reason_id.name,
            )
        )

    @api.model
    def _lost_values(self, customers, company):
        """Per customer, its confirmed orders over the value window before its last order, in
        company currency: what a year (by default) of the customer was worth."""
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """SELECT buyer.commercial_partner_id,
                          SUM(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1))
                     FROM sale_order so
                     JOIN res_partner buyer ON buyer.id = so.partner_id
                     JOIN customer_account account
                       ON account.partner_id = buyer.commercial_partner_id AND account.company_id = so.company_id
                    WHERE buyer.commercial_partner_id = ANY(%(customers)s) AND so.company_id = %(company)s
                      AND so.state = 'sale'
                      AND so.date_order >= account.last_order_date - %(window)s::interval
                 GROUP BY buyer.commercial_partner_id""",
                customers=customers.ids,
                company=company.id,
                window=f"{company.customer_value_window_months} months",
            )
        )
        return dict(rows)
