from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from .customer_account import LIFECYCLES


class CustomerPool(models.Model):
    """A company's shared pool of customers (公海): where customers nobody follows up go back to,
    and where salespeople claim them (README, "Customer pool")."""

    _name = "customer.pool"
    _description = "Customer Pool"
    _inherit = ["mail.thread"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    active = fields.Boolean(default=True)
    member_user_ids = fields.Many2many(
        "res.users",
        string="Members",
        domain="[('share', '=', False)]",
        help="Who may see and claim the pool's customers; empty: every user of the addon in the company.",
    )
    manager_id = fields.Many2one(
        "res.users",
        string="Pool Manager",
        domain="[('share', '=', False)]",
        help="Receives the digest of the customers reclaimed each day.",
    )
    claim_limit = fields.Integer(
        help="The most customers a salesperson may hold in the company to claim one more; 0: no limit."
    )
    daily_claim_limit = fields.Integer(
        help="The most customers a salesperson may claim from the pool a day; 0: no limit."
    )
    reclaim_cooldown_days = fields.Integer(
        string="Cooldown (days)",
        help="The previous salesperson may not claim a customer back before this many days in the pool.",
    )
    rule_ids = fields.One2many("customer.pool.rule", "pool_id", string="Rules", copy=True)
    account_ids = fields.One2many("customer.account", "customer_pool_id", string="Pool Customers")
    customer_count = fields.Integer(string="Customers in Pool", compute="_compute_customer_count")

    _limits_positive = models.Constraint(
        "CHECK(claim_limit >= 0 AND daily_claim_limit >= 0 AND reclaim_cooldown_days >= 0)",
        "Limits and the cooldown cannot be negative.",
    )

    def _compute_customer_count(self):
        counts = dict(
            self.env["customer.account"]._read_group(
                [("customer_pool_id", "in", self.ids)], ["customer_pool_id"], ["__count"]
            )
        )
        for pool in self:
            pool.customer_count = counts.get(pool, 0)

    @api.constrains("company_id", "member_user_ids", "manager_id")
    def _check_users_company(self):
        for pool in self:
            users = pool.member_user_ids | pool.manager_id
            outside = users.filtered(lambda user, pool=pool: pool.company_id not in user.company_ids)
            if outside:
                raise ValidationError(
                    self.env._(
                        "%(users)s cannot work in %(company)s: they cannot be members or manager of its pool.",
                        users=", ".join(outside.mapped("name")),
                        company=pool.company_id.name,
                    )
                )

    def write(self, vals):
        result = super().write(vals)
        if "active" in vals or "company_id" in vals:
            self._refresh_dates(self.company_id)
        return result

    def _is_member(self, user):
        """Whether ``user`` may see and claim this pool's customers."""
        self.ensure_one()
        if self.member_user_ids:
            return user in self.member_user_ids
        return self.company_id in user.company_ids and user.has_group(
            "customer_relationship.group_customer_relationship_user"
        )

    def action_view_customers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("customer_relationship.customer_pool_account_action")
        action["domain"] = [("customer_pool_id", "=", self.id)]
        return action


class CustomerPoolRule(models.Model):
    """A line of a pool: which owned customers go back to it, after how long without contact."""

    _name = "customer.pool.rule"
    _description = "Customer Pool Rule"
    _order = "pool_id, sequence, id"

    pool_id = fields.Many2one("customer.pool", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="pool_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    tier_id = fields.Many2one(
        "customer.tier",
        ondelete="cascade",
        help="Empty: every tier. A customer whose tier no active rule matches is never reclaimed.",
    )
    lifecycle = fields.Selection(LIFECYCLES, help="Empty: any lifecycle.")
    no_contact_days = fields.Integer(
        string="No Contact For (days)",
        required=True,
        default=30,
        help="Reclaimed when nobody logged a done visit or contact with the customer for that long (counted "
        "from the day its salesperson got it when later).",
    )
    no_order_days = fields.Integer(
        string="And No Order For (days)",
        help="Optional: only when the customer also ordered nothing for that long; 0: orders do not matter.",
    )
    warning_days = fields.Integer(
        string="Warn (days before)", default=7, help="The salesperson gets an activity that many days before."
    )

    _days_positive = models.Constraint(
        "CHECK(no_contact_days > 0 AND no_order_days >= 0 AND warning_days >= 0)",
        "The days without contact must be positive; the days without order and the warning days cannot be negative.",
    )

    @api.depends("pool_id", "tier_id", "lifecycle", "no_contact_days")
    def _compute_display_name(self):
        lifecycles = dict(self._fields["lifecycle"]._description_selection(self.env))
        for rule in self:
            rule.display_name = self.env._(
                "%(tier)s%(lifecycle)s: %(days)s days",
                tier=rule.tier_id.name or self.env._("All tiers"),
                lifecycle=f" ({lifecycles[rule.lifecycle]})" if rule.lifecycle else "",
                days=rule.no_contact_days,
            )

    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        self.env["customer.pool"]._refresh_dates(rules.company_id)
        return rules

    def write(self, vals):
        companies = self.company_id
        result = super().write(vals)
        self.env["customer.pool"]._refresh_dates(companies | self.company_id)
        return result

    def unlink(self):
        companies = self.company_id
        result = super().unlink()
        self.env["customer.pool"]._refresh_dates(companies)
        return result


def pool_domain_for(user):
    """The pools ``user`` belongs to, as a domain on customer.pool (the record rules say the same)."""
    return Domain("member_user_ids", "=", False) | Domain("member_user_ids", "in", user.id)
