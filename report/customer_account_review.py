from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain

LAST_VISITS = 5
TIER_HISTORY_ROWS = 10


class ReportCustomerAccountReview(models.AbstractModel):
    _name = "report.customer_relationship.customer_account_review"
    _description = "Customer Account Review Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        """One review per customer (the company of a contact printed), with the figures of the
        current company. Everything is read as the user, so record rules decide what appears."""
        customers = self.env["res.partner"].browse(docids).commercial_partner_id
        self._check_review_access(customers)
        return {
            "doc_ids": customers.ids,
            "doc_model": "res.partner",
            "docs": customers,
            "reviews": self._get_reviews(customers),
            "today": fields.Date.context_today(self),
        }

    @api.model
    def _check_review_access(self, customers):
        """The review opens the customer's whole file. Users who see their own customers only may
        print it for the customers whose account they may see (README, "Access"); the readers of
        all customers print any."""
        customers.check_access("read")
        user = self.env.user
        if self.env.su or user.has_group("customer_relationship.group_customer_relationship_user_all"):
            return
        own_customers_user = user.has_group("customer_relationship.group_customer_relationship_user")
        foreign = customers.with_env(self.env).filtered(
            lambda c: not own_customers_user or not c.customer_account_visible
        )
        if foreign:
            raise AccessError(
                self.env._(
                    "You can only print the account review of your own customers, not of %(customers)s.",
                    customers=", ".join(foreign.mapped("display_name")),
                )
            )

    @api.model
    def _get_reviews(self, customers):
        """{customer id: {contacts, tier_history, visits, followups, care_actions}}, in a few
        searches for all the customers together."""
        today = fields.Date.context_today(self)
        company = self.env.company
        in_company = Domain("partner_id", "in", customers.ids) & Domain("company_id", "=", company.id)
        Visit = self.env["customer.visit"]
        last_visits = Visit._last_done_visits(customers, company, LAST_VISITS)
        # Follow-ups: the activities on the customer's visits, on the customer and on its contacts.
        followups = Visit._open_followups(customers, company, on_customers=True)
        history = self.env["customer.tier.history"].search(in_company, order="date desc, id desc")
        care_actions = self.env["customer.care.action"].search(
            in_company & Domain("state", "=", "scheduled") & Domain("due_date", ">=", today),
            order="due_date, id",
        )
        history_by_customer = history.grouped("partner_id")
        care_by_customer = care_actions.grouped("partner_id")
        return {
            customer.id: {
                "contacts": customer.child_ids.filtered(lambda c: c.type == "contact"),
                "tier_history": history_by_customer.get(customer, history.browse())[:TIER_HISTORY_ROWS],
                "visits": last_visits[customer.id],
                "followups": followups[customer.id],
                "care_actions": care_by_customer.get(customer, care_actions.browse()),
            }
            for customer in customers
        }
