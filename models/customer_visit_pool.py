from odoo import api, models

# Visit fields that move a customer's last contact, hence its reclaim date (README, "Customer pool").
CONTACT_FIELDS = {"state", "done_date", "partner_id", "company_id"}


class CustomerVisit(models.Model):
    _inherit = "customer.visit"

    @api.model_create_multi
    def create(self, vals_list):
        visits = super().create(vals_list)
        visits.filtered(lambda visit: visit.state == "done")._refresh_pool_dates()
        return visits

    def write(self, vals):
        before = self.mapped(lambda visit: (visit.partner_id, visit.company_id)) if CONTACT_FIELDS & set(vals) else []
        result = super().write(vals)
        if before:
            self._refresh_pool_dates(before)
        return result

    def _refresh_pool_dates(self, also=()):
        """Refresh the last contact and reclaim date of the visits' customers, one statement per company."""
        pairs = set(also) | {(visit.partner_id, visit.company_id) for visit in self}
        if not pairs:
            return
        # Every salesperson's contact counts for the customer: the accounts are read in sudo.
        accounts = self.env["customer.account"].sudo()
        for company in {company for _partner, company in pairs}:
            partners = [partner.id for partner, pair_company in pairs if pair_company == company]
            self.env["customer.pool"]._refresh_company_dates(
                company, accounts.search([("partner_id", "in", partners), ("company_id", "=", company.id)])
            )
