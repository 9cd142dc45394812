from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The rows of the retention snapshot say from 19.0.4 when the customer moved tier between two
    months (moved_out_count, moved_in_count): filled for every company now, as the nightly refresh
    would, so that a report grouped by tier reads right from the upgrade on."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    # A database holds a handful of companies.
    for company in env["res.company"].search([]):  # pylint: disable=no-search-all
        env["customer.retention.report"]._refresh_company(company)
