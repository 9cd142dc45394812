from datetime import datetime, time

from odoo import fields
from odoo.tests import HttpCase, tagged

from ..models.customer_account import LIFECYCLES, RFM_SEGMENTS
from ..models.customer_tier import RELATIONSHIP_LEVELS
from .common import CustomerRelationshipCase

LIFECYCLE_KEYS = [key for key, _label in LIFECYCLES]
RFM_KEYS = [key for key, _label in RFM_SEGMENTS]
LEVEL_KEYS = [key for key, _label in RELATIONSHIP_LEVELS]


@tagged("post_install", "-at_install")
class TestLadders(CustomerRelationshipCase):
    """Lifecycles, RFM segments, relationship levels and tiers are ladders: pivots, graphs,
    grouped lists, kanban columns and filters show them in the ladder's order, never by name."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"].with_company(cls.company)
        # One customer per rung, created from the top rung down so that neither the creation
        # order nor the alphabet gives the ladder's order by chance.
        cls.customers = Partner.browse()
        for index in reversed(range(len(RFM_KEYS))):
            customer = Partner.create({"name": f"Ladder {index}", "is_company": True})
            cls._set_account(
                customer,
                lifecycle=LIFECYCLE_KEYS[index % len(LIFECYCLE_KEYS)],
                rfm_segment=RFM_KEYS[index],
                relationship_level=LEVEL_KEYS[index % len(LEVEL_KEYS)],
            )
            cls.customers |= customer
        cls.domain = [("id", "in", cls.customers.ids)]

    def test_selection_ladders_group_in_ladder_order(self):
        Partner = self.env["res.partner"].with_company(self.company)
        for field, keys in (
            ("customer_lifecycle", LIFECYCLE_KEYS),
            ("rfm_segment", RFM_KEYS),
            ("relationship_level", LEVEL_KEYS),
        ):
            with self.subTest(field=field):
                # a grouped list or a kanban (the web client's call, with its context) ...
                groups = Partner.with_context(read_group_expand=True).web_read_group(self.domain, [field])["groups"]
                self.assertEqual([group[field] for group in groups], keys)
                # ... a graph ...
                groups = Partner.formatted_read_group(self.domain, [field], ["__count"])
                self.assertEqual([group[field] for group in groups], keys)
                # ... and descending when the user sorts the other way
                groups = Partner.formatted_read_group(self.domain, [field], ["__count"], order=f"{field} desc")
                self.assertEqual([group[field] for group in groups], keys[::-1])

    def test_relationship_matrix_columns_in_ladder_order(self):
        """The pivot's call: tiers in rows, levels in columns, with their totals."""
        Partner = self.env["res.partner"].with_company(self.company)
        self.customers.customer_tier_id = self.tiers["gold"]
        by_tier_level, by_level, _total = Partner.formatted_read_grouping_sets(
            self.domain, [["customer_tier_id", "relationship_level"], ["relationship_level"], []], ["__count"]
        )
        self.assertEqual([group["relationship_level"] for group in by_level], LEVEL_KEYS)
        self.assertEqual([group["relationship_level"] for group in by_tier_level], LEVEL_KEYS)
        self.assertEqual(sum(group["__count"] for group in by_level), len(self.customers))

    def test_tiers_group_in_sequence_order(self):
        """Tier Analysis (a pivot of tiers by lifecycle), its graph, a grouped list and the kanban
        columns list the tiers best first, whatever their names and creation order."""
        Partner = self.env["res.partner"].with_company(self.company)
        # Created worst first and named against the alphabet: only the sequence gives the order.
        base, middle, zenith = self.env["customer.tier"].create(
            [
                {"name": "Aa Base", "code": "B", "sequence": 3, "share_limit": 100, "company_id": self.company.id},
                {"name": "Bb Middle", "code": "M", "sequence": 2, "share_limit": 90, "company_id": self.company.id},
                {"name": "Cc Zenith", "code": "Z", "sequence": 1, "share_limit": 50, "company_id": self.company.id},
            ]
        )
        expected = [zenith.id, middle.id, base.id]
        tiers = [base, zenith, middle, base, zenith, middle, base, zenith]
        for customer, tier in zip(self.customers, tiers, strict=True):
            customer.customer_tier_id = tier

        def tier_ids(groups):
            return [group["customer_tier_id"][0] for group in groups]

        # The pivot's call, as the web client makes it (the columns' set before the rows').
        _total, by_lifecycle, by_tier, by_tier_lifecycle = Partner.formatted_read_grouping_sets(
            self.domain,
            [[], ["customer_lifecycle"], ["customer_tier_id"], ["customer_tier_id", "customer_lifecycle"]],
            ["customer_value:sum", "__count"],
        )
        self.assertEqual(tier_ids(by_tier), expected)
        self.assertEqual([group["__count"] for group in by_tier], [3, 2, 3])
        cells = [(group["customer_lifecycle"], group["customer_tier_id"][0]) for group in by_tier_lifecycle]
        self.assertEqual(
            cells, sorted(cells, key=lambda cell: (LIFECYCLE_KEYS.index(cell[0]), expected.index(cell[1])))
        )
        self.assertEqual([group["customer_lifecycle"] for group in by_lifecycle], LIFECYCLE_KEYS)
        for aggregates in (["__count"], ["customer_value:sum"]):
            with self.subTest(aggregates=aggregates):
                # a graph
                groups = Partner.formatted_read_group(self.domain, ["customer_tier_id"], aggregates)
                self.assertEqual(tier_ids(groups), expected)
        # a grouped list or the kanban columns, and descending when the user sorts the other way
        groups = Partner.with_context(read_group_expand=True).web_read_group(self.domain, ["customer_tier_id"])
        self.assertEqual(tier_ids(groups["groups"]), expected)
        groups = Partner.formatted_read_group(
            self.domain, ["customer_tier_id"], ["__count"], order="customer_tier_id desc"
        )
        self.assertEqual(tier_ids(groups), expected[::-1])

    def test_rfm_segments_use_no_lifecycle_word(self):
        """A card or a list never reads "At Risk" twice with two meanings, in English or Chinese."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env.ref("base.module_customer_relationship")._update_translations(["zh_CN"])
        for lang in ("en_US", "zh_CN"):
            Partner = self.env["res.partner"].with_context(lang=lang)
            lifecycles = dict(Partner._fields["customer_lifecycle"]._description_selection(Partner.env))
            segments = dict(Partner._fields["rfm_segment"]._description_selection(Partner.env))
            with self.subTest(lang=lang):
                self.assertFalse(set(lifecycles.values()) & set(segments.values()))
                words = {word for label in lifecycles.values() for word in label.split()}
                self.assertFalse(
                    [label for label in segments.values() if words & set(label.split())],
                    "an RFM segment reuses a lifecycle word",
                )
        zh_segments = dict(
            self.env["res.partner"]
            .with_context(lang="zh_CN")
            ._fields["rfm_segment"]
            ._description_selection(self.env(context={"lang": "zh_CN"}))
        )
        self.assertEqual(zh_segments["at_risk"], "下滑客户")
        self.assertEqual(zh_segments["lost"], "久未购买")

    def test_tier_panel_lists_the_configured_tiers_in_order(self):
        """The search panel replaces filters hard-coded on codes A-D: it lists the company's
        own tiers, named as configured, best first, a new tier included."""
        Partner = self.env["res.partner"].with_company(self.company)
        Tier = self.env["customer.tier"]
        # Named against the alphabet, so that only the sequence gives this order.
        zenith, middle, base = Tier.create(
            [
                {"name": "Zenith", "code": "Z", "sequence": 1, "share_limit": 50, "company_id": self.company.id},
                {"name": "Middle", "code": "M", "sequence": 2, "share_limit": 90, "company_id": self.company.id},
                {"name": "Base", "code": "B", "sequence": 3, "share_limit": 100, "company_id": self.company.id},
            ]
        )
        tiers = [zenith, zenith, middle, base, base, base, middle, zenith]
        for customer, tier in zip(self.customers, tiers, strict=True):
            customer.customer_tier_id = tier

        def panel():
            values = Partner.search_panel_select_multi_range(
                "customer_tier_id", search_domain=self.domain, enable_counters=True
            )["values"]
            return [(value["display_name"], value["__count"]) for value in values]

        self.assertEqual(panel(), [("Zenith", 3), ("Middle", 2), ("Base", 3)])

        diamond = Tier.create(
            {"name": "Diamond", "code": "D", "sequence": 0, "share_limit": 20, "company_id": self.company.id}
        )
        self.customers[0].customer_tier_id = diamond
        self.assertEqual(panel(), [("Diamond", 1), ("Zenith", 2), ("Middle", 2), ("Base", 3)])

        # The visits' list and kanban have the same panel (not the calendar: it would squeeze the grid).
        Visit = self.env["customer.visit"].with_company(self.company)
        visits = Visit.create(
            [
                {"partner_id": customer.id, "user_id": self.salesman.id, "company_id": self.company.id}
                for customer in self.customers[:4]
            ]
        )
        values = Visit.search_panel_select_multi_range(
            "customer_tier_id", search_domain=[("id", "in", visits.ids)], enable_counters=True
        )["values"]
        self.assertEqual([value["display_name"] for value in values], ["Diamond", "Zenith", "Middle", "Base"])

    def test_search_views_have_no_tier_filters_by_code(self):
        for xmlid in (
            "customer_relationship.res_partner_customer_view_search",
            "customer_relationship.customer_visit_view_search",
        ):
            view = self.env.ref(xmlid)
            arch = view.get_combined_arch()
            with self.subTest(view=xmlid):
                self.assertNotIn("customer_tier_id.code", arch)
                self.assertIn("<searchpanel", arch)


@tagged("post_install", "-at_install")
class TestLaddersUi(HttpCase):
    # The width of the screen: every list header must fit in it.
    browser_size = "1440x900"

    def test_ladders_tour(self):
        """In a browser at 1440 px: a customer's card shows one status (its lifecycle, not its
        RFM segment beside it), the customers list and the customer's care actions and
        tier changes (opened from the form's buttons) have no cut header, the
        tiers panel lists the tiers best first and the relationship matrix reads Basic to
        Partnership."""
        Partner = self.env["res.partner"]
        customer = Partner.create({"name": "Ladder Tour Trading", "is_company": True, "customer_rank": 1})
        self.env["customer.tier"]._recompute_company_tiers(self.env.company)
        # Slipping in its own rhythm, yet among the best by RFM: the two statuses disagree.
        self.env["customer.account"]._for_partners(customer, self.env.company)[customer.id].write(
            {"lifecycle": "at_risk", "rfm_segment": "champions", "relationship_level": "proactive"}
        )
        lost = Partner.create({"name": "Ladder Tour Lost", "is_company": True, "customer_rank": 1})
        lost.write(
            {
                "loss_reason_id": self.env.ref("customer_relationship.customer_loss_reason_price").id,
                "loss_date": "2026-04-01",
                "lost_value": 12000,
            }
        )
        rule = self.env["customer.care.rule"].create(
            {"name": "Ladder tour call", "trigger": "birthday", "action": "activity"}
        )
        self.env["customer.care.action"].create(
            {
                "rule_id": rule.id,
                "company_id": self.env.company.id,
                "action": "activity",
                "partner_id": customer.id,
                "contact_id": customer.id,
                "occurrence_date": "2026-05-04",
                "due_date": "2026-05-01",
                "user_id": self.env.ref("base.user_admin").id,
            }
        )
        self.start_tour("/odoo", "customer_relationship_ladders_tour", login="admin")

    def test_visit_calendar_tiers_panel(self):
        """In a browser at 1440 px: the visits calendar's week grid takes the screen (its day names
        apart, its events titled with their customer), with no tiers search panel beside it; the
        visits list and kanban list the configured tiers in their order (the calendar's own
        filters would sort them by name, so the calendar has none: its events take the tier's
        colour)."""
        company = self.env.company
        # Named against the alphabet: only the sequence puts Zinc before Amber.
        zinc, amber = self.env["customer.tier"].create(
            [
                {"name": "Ladder Zinc Tier", "code": "L1", "sequence": 1, "share_limit": 60, "company_id": company.id},
                {
                    "name": "Ladder Amber Tier",
                    "code": "L2",
                    "sequence": 2,
                    "share_limit": 100,
                    "company_id": company.id,
                },
            ]
        )
        first, second = self.env["res.partner"].create(
            [{"name": "Ladder Tour A", "is_company": True}, {"name": "Ladder Tour B", "is_company": True}]
        )
        first.customer_tier_id = amber
        second.customer_tier_id = zinc
        admin = self.env.ref("base.user_admin")
        # Today, at two hours apart: both in the week shown, side by side with nothing.
        today = fields.Date.context_today(self.env["customer.visit"].with_user(admin))
        self.env["customer.visit"].create(
            [
                {"partner_id": partner.id, "user_id": admin.id, "planned_start": datetime.combine(today, time(hour))}
                for partner, hour in ((first, 9), (second, 13))
            ]
        )
        self.start_tour(
            "/odoo/action-customer_relationship.customer_visit_action?view_type=calendar",
            "customer_relationship_visit_tiers_tour",
            login="admin",
        )
