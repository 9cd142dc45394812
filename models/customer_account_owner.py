from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain
from odoo.tools import SQL

MANAGER_GROUP = "customer_relationship.group_customer_relationship_manager"


class CustomerAccountOwnerMixin(models.AbstractModel):
    """A record about a customer in one company (a visit, a care action, a tier change, a
    retention row), reached by the customer's salesperson in *that* company: the salesperson of
    the customer's account there (README, "Access"), not Odoo's one salesperson of the partner.
    The record rules of the inheriting models compare on ``customer_account_user_id``."""

    _name = "customer.account.owner.mixin"
    _description = "Record of a Customer in a Company"

    customer_account_user_id = fields.Many2one(
        "res.users",
        string="Customer's Salesperson",
        compute="_compute_customer_account_user_id",
        search="_search_customer_account_user_id",
        help="The salesperson of the customer in the record's company.",
    )

    @api.depends("partner_id", "company_id")
    def _compute_customer_account_user_id(self):
        # The salesperson in the company is what the rules compare on; reading it needs no
        # right on the account (sudo), as a partner shows its salesperson to every reader.
        for company, records in self.grouped("company_id").items():
            partners = records.partner_id.with_company(company).sudo()
            for record in records:
                record.customer_account_user_id = partners.browse(record.partner_id.id).customer_account_user_id.id

    def _search_customer_account_user_id(self, operator, value):
        if operator != "in":
            return NotImplemented
        user_ids = tuple(uid for uid in value if uid)

        def to_sql(model, alias, query):
            # The account of the customer (its commercial partner) in the record's company; a
            # customer without an account there is its partner's salesperson's, as on res.partner.
            owner = SQL(
                """(SELECT CASE WHEN account.id IS NULL THEN commercial.user_id ELSE account.user_id END
                      FROM res_partner partner
                      JOIN res_partner commercial ON commercial.id = partner.commercial_partner_id
                 LEFT JOIN customer_account account
                        ON account.partner_id = commercial.id AND account.company_id = %s
                     WHERE partner.id = %s)""",
                SQL.identifier(alias, "company_id"),
                SQL.identifier(alias, "partner_id"),
            )
            conditions = [SQL("%s IN %s", owner, user_ids)] if user_ids else []
            if False in value:
                conditions.append(SQL("%s IS NULL", owner))
            return SQL("(%s)", SQL(" OR ").join(conditions)) if conditions else SQL("FALSE")

        self.flush_model(["partner_id", "company_id"])
        self.env["res.partner"].flush_model(["commercial_partner_id", "user_id"])
        self.env["customer.account"].flush_model(["partner_id", "company_id", "user_id"])
        return Domain.custom(to_sql=to_sql)

    def _check_customer_salesperson(self, may_record):
        """Refuse, but to managers and the system, the records of ``self`` for which
        ``may_record(record)`` is false, naming their customers (README, "Access")."""
        if self.env.su or self.env.user.has_group(MANAGER_GROUP):
            return
        foreign = self.filtered(lambda record: not may_record(record))
        if foreign:
            raise AccessError(
                self.env._(
                    "%(customers)s is another salesperson's customer: only its salesperson in the company or a "
                    "customer relationship manager can record visits and care actions on it.",
                    customers=", ".join(foreign.partner_id.mapped("display_name")),
                )
            )


class CustomerVisit(models.Model):
    _name = "customer.visit"
    _inherit = ["customer.visit", "customer.account.owner.mixin"]

    @api.model_create_multi
    def create(self, vals_list):
        visits = super().create(vals_list)
        # A visit is its customer's salesperson's: no one logs or plans one on another's customer.
        visits._check_customer_salesperson(lambda visit: visit.customer_account_user_id == visit.user_id)
        return visits

    def write(self, vals):
        result = super().write(vals)
        if {"partner_id", "company_id", "user_id"} & set(vals):
            self._check_customer_salesperson(lambda visit: visit.customer_account_user_id == visit.user_id)
        return result


class CustomerCareAction(models.Model):
    _name = "customer.care.action"
    _inherit = ["customer.care.action", "customer.account.owner.mixin"]

    def _check_may_record(self):
        # The person responsible (a team leader alerted of a move down, say) or the customer's salesperson.
        self._check_customer_salesperson(
            lambda action: self.env.user in (action.user_id | action.customer_account_user_id)
        )

    def action_mark_done(self):
        self._check_may_record()
        return super().action_mark_done()

    def action_skip(self):
        self._check_may_record()
        return super().action_skip()

    def action_retry(self):
        self._check_may_record()
        return super().action_retry()


class CustomerTierHistory(models.Model):
    _name = "customer.tier.history"
    _inherit = ["customer.tier.history", "customer.account.owner.mixin"]
