from odoo import fields, models

from ..models.notification import notify_and_close


def _default_accounts(wizard):
    """The accounts in the current company of the customers (or accounts) the wizard opens on."""
    context = wizard.env.context
    ids = context.get("active_ids") or []
    if context.get("active_model") == "customer.account":
        return wizard.env["customer.account"].browse(ids)
    if context.get("active_model") == "res.partner" and ids:
        partners = wizard.env["res.partner"].browse(ids).commercial_partner_id
        return wizard.env["customer.account"].search(
            [("partner_id", "in", partners.ids), ("company_id", "=", wizard.env.company.id)]
        )
    return wizard.env["customer.account"]


class CustomerPoolRelease(models.TransientModel):
    _name = "customer.pool.release"
    _description = "Release Customers to the Pool"

    account_ids = fields.Many2many("customer.account", string="Customers", default=_default_accounts, readonly=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, readonly=True)
    pool_id = fields.Many2one(
        "customer.pool",
        string="Customer Pool",
        required=True,
        domain="[('company_id', '=', company_id)]",
        default=lambda self: self.env["customer.pool"].search([("company_id", "=", self.env.company.id)], limit=1),
    )
    reason = fields.Text(required=True, help="Why the customers go back to the pool: kept in their history.")

    def action_release(self):
        self.ensure_one()
        self.account_ids._pool_release(self.pool_id, self.reason)
        return notify_and_close(
            self.env._(
                "%(count)s customers released to the pool %(pool)s.",
                count=len(self.account_ids),
                pool=self.pool_id.name,
            )
        )


class CustomerPoolAssign(models.TransientModel):
    _name = "customer.pool.assign"
    _description = "Assign Customers"

    account_ids = fields.Many2many("customer.account", string="Customers", default=_default_accounts, readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", required=True, domain="[('share', '=', False)]")

    def action_assign(self):
        self.ensure_one()
        self.account_ids._pool_assign(self.user_id)
        return notify_and_close(
            self.env._("%(count)s customers assigned to %(user)s.", count=len(self.account_ids), user=self.user_id.name)
        )
