from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools.safe_eval import safe_eval


class CustomerRelationshipDashboard(models.AbstractModel):
    _name = "customer.relationship.dashboard"
    _description = "Customer Relationship Dashboard"

    @api.model
    def get_dashboard_data(self):
        """The landing page's figures for the current company: the user's own portfolio, or
        every customer for those who see all customers. A handful of grouped queries.

        Each tile comes with the action it opens: the list with the tile's own filters as
        visible, removable facets, whose domains are the ones counted here, so that the list
        shows as many rows as the tile says."""
        today = fields.Date.context_today(self)
        see_all = self.env.user.has_group("customer_relationship.group_customer_relationship_user_all")
        # The "My Customers" / "My Visits" / "My Care Actions" filters of the lists, for a salesperson.
        mine = Domain.TRUE if see_all else Domain("user_id", "=", self.env.uid)
        # A customer is mine by its salesperson in this company, as the "My Customers" filter says.
        my_customers = Domain.TRUE if see_all else Domain("customer_account_user_id", "=", self.env.uid)
        customers = Domain("parent_id", "=", False) & Domain("customer_tier_id", "!=", False) & my_customers
        partners = self.env["res.partner"]
        tier_rows = partners._read_group(
            customers, ["customer_tier_id"], ["__count", "customer_value:sum", "customer_value_at_risk:sum"]
        )
        total_value = sum(value or 0.0 for _tier, _count, value, _at_risk in tier_rows) or 1.0
        customer_filters = {} if see_all else {"my_customers": 1}
        visit_filters = {} if see_all else {"my_visits": 1}
        care_filters = {} if see_all else {"my_actions": 1}
        tiers = [
            {
                "id": tier.id,
                "name": tier.name,
                "color": tier.color,
                "count": count,
                "value": value or 0.0,
                "share": round(100 * (value or 0.0) / total_value, 1),
                # (1 - probability alive) x predicted value (README, "Who will buy again")
                "value_at_risk": at_risk or 0.0,
                "action": self._tile_action(
                    "customer_relationship.res_partner_customer_action",
                    self.env._("%(tier)s customers", tier=tier.name),
                    {**customer_filters, "customer_tier_id": tier.id},
                ),
            }
            for tier, count, value, at_risk in sorted(tier_rows, key=lambda row: (row[0].sequence, row[0].id))
        ]
        week_end = today + timedelta(days=7)
        company = self.env.company
        return {
            "currency": {"symbol": company.currency_id.symbol, "position": company.currency_id.position},
            "see_all": see_all,
            "tiers": tiers,
            "customer_count": sum(tier["count"] for tier in tiers),
            "value_at_risk": sum(tier["value_at_risk"] for tier in tiers),
            "churn_rate": self._quarter_churn_rate(mine, today),
            # Counted as the list's filters count: the "Overdue" filter of visits...
            "overdue_visits": self.env["customer.visit"].search_count(mine & Domain("is_overdue", "=", True)),
            # ... "Due for Contact" of customers ...
            "overdue_contacts": partners.search_count(customers & Domain("visit_overdue", "=", True)),
            # ... "Scheduled" and "Due This Week" of care actions ...
            "care_due_week": self.env["customer.care.action"].search_count(
                mine
                & Domain("state", "=", "scheduled")
                & Domain("due_date", ">=", today)
                & Domain("due_date", "<", week_end)
            ),
            # ... and "Relationship Below Target" of customers.
            "relationship_below": partners.search_count(customers & Domain("relationship_gap", "=", "below")),
            "actions": {
                "overdue_visits": self._tile_action(
                    "customer_relationship.customer_visit_action",
                    self.env._("Overdue visits"),
                    {**visit_filters, "overdue": 1},
                ),
                "overdue_contacts": self._tile_action(
                    "customer_relationship.res_partner_customer_action",
                    self.env._("Customers due for contact"),
                    {**customer_filters, "visit_overdue": 1},
                ),
                "care_due_week": self._tile_action(
                    "customer_relationship.customer_care_action_action",
                    self.env._("Care actions due this week"),
                    {**care_filters, "scheduled": 1, "due_this_week": 1},
                ),
                "relationship_below": self._tile_action(
                    "customer_relationship.res_partner_customer_action",
                    self.env._("Relationships below target"),
                    {**customer_filters, "relationship_below_target": 1},
                ),
            },
        }

    @api.model
    def _tile_action(self, xmlid, name, search_defaults):
        """The window action ``xmlid`` titled ``name``, with exactly ``search_defaults`` (filter
        or field name: value) as its default search facets: the action's own default filters,
        such as "My Care Actions", would hide rows the tile counts."""
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        context = safe_eval(action.get("context") or "{}", {"uid": self.env.uid})
        context = {key: value for key, value in context.items() if not key.startswith("search_default_")}
        context.update({f"search_default_{key}": value for key, value in search_defaults.items()})
        return {**action, "name": name, "context": context, "display_name": name}

    @api.model
    def _quarter_churn_rate(self, mine, today):
        """Customers churned since the quarter began, over those active when it began."""
        report = self.env["customer.retention.report"]
        quarter_start = today.replace(month=3 * ((today.month - 1) // 3) + 1, day=1)
        domain = mine & Domain("company_id", "=", self.env.company.id)
        [(active_start,)] = report._read_group(
            domain & Domain("month", "=", quarter_start), [], ["active_start_count:sum"]
        )
        [(churned,)] = report._read_group(domain & Domain("month", ">=", quarter_start), [], ["churned_count:sum"])
        return round(100 * churned / active_start, 1) if active_start else 0.0
