from datetime import date, datetime, timedelta

from odoo.tests import tagged

from .common import CustomerRelationshipCase


@tagged("post_install", "-at_install")
class TestPartnerMerge(CustomerRelationshipCase):
    def test_merged_customer_keeps_visits_care_history_and_referrals(self):
        kept, duplicate, referred = self._create_customers(
            "Merge Kept", "Merge Duplicate", "Merge Referred", customer_rank=1
        )
        referred.referred_by_id = duplicate
        self.env["customer.tier"]._recompute_company_tiers(self.company, date(2026, 6, 30))
        visit = self.env["customer.visit"].create(
            {
                "partner_id": duplicate.id,
                "user_id": self.salesman.id,
                "company_id": self.company.id,
                "planned_start": datetime(2026, 5, 4, 9),
            }
        )
        rule = self.env["customer.care.rule"].create(
            {"name": "Merge cadence", "company_id": self.company.id, "trigger": "cadence", "lead_days": 0}
        )
        # A year after their creation, both are overdue for contact.
        rule._generate_actions(date.today() + timedelta(days=365))
        actions = rule.action_ids
        self.assertEqual(len(actions.filtered(lambda a: a.partner_id in kept | duplicate)), 2)
        # Neither customer ordered nor was contacted since its creation: the same event date. One such
        # action survives the merge, the destination's, instead of blocking it.
        same_event = actions.filtered(lambda a: a.partner_id in kept | duplicate).mapped("occurrence_date")
        self.assertEqual(len(set(same_event)), 1)
        history = duplicate.customer_tier_history_ids
        self.assertTrue(history)

        self.env["base.partner.merge.automatic.wizard"]._merge((kept | duplicate).ids, kept)

        self.assertFalse(duplicate.exists())
        self.assertEqual(visit.partner_id, kept)
        self.assertEqual(history.partner_id, kept)
        self.assertEqual(referred.referred_by_id, kept)
        self.assertEqual(kept.referral_count, 1)
        remaining = rule.action_ids.filtered(lambda a: a.partner_id == kept)
        self.assertEqual(len(remaining), 1)
