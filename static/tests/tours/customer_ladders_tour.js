import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

const LEVELS = ["Basic", "Reactive", "Accountable", "Proactive", "Partnership"];
const TIERS = ["Platinum", "Gold", "Iron", "Lead"];

/** Throws unless the texts of ``selector`` that belong to ``ladder`` come in its order. */
function assertLadderOrder(selector, ladder, what) {
    const texts = [...document.querySelectorAll(selector)].map((el) => el.textContent.trim());
    const rungs = texts.filter((text) => ladder.includes(text));
    const sorted = [...rungs].sort((a, b) => ladder.indexOf(a) - ladder.indexOf(b));
    if (!rungs.length || rungs.join("|") !== sorted.join("|")) {
        throw new Error(`${what} are not in ladder order: ${texts.join(" | ")}`);
    }
}

/** Throws if a list header of ``selector`` is cut ("Value Ra…"). */
function assertHeadersFit(selector, what) {
    const headers = [...document.querySelectorAll(`${selector} thead th span.text-truncate`)];
    if (!headers.length) {
        throw new Error(`${what}: no header found`);
    }
    const cut = headers.filter((span) => span.scrollWidth > span.clientWidth + 1);
    if (cut.length) {
        throw new Error(
            `${what}: cut headers at ${window.innerWidth}px: ` +
                cut.map((span) => `${span.textContent.trim()} (${span.clientWidth}/${span.scrollWidth}px)`).join(", ")
        );
    }
}

registry.category("web_tour.tours").add("customer_relationship_ladders_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("customer_relationship.customer_relationship_menu_root", "Open the app"),
        {
            trigger: ".o_main_navbar [data-menu-xmlid='customer_relationship.customer_relationship_menu_customers']",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='customer_relationship.res_partner_customer_menu']",
            run: "click",
        },
        {
            content: "The tiers panel lists the configured tiers, best first",
            trigger: ".o_search_panel .o_search_panel_filter_value:contains(Lead)",
            run() {
                assertLadderOrder(".o_search_panel .o_search_panel_label_title", TIERS, "Tier panel values");
            },
        },
        {
            content: "Search the customer",
            trigger: ".o_searchview_input",
            run: "edit Ladder Tour Trading",
        },
        {
            trigger: ".o_searchview_autocomplete .o-dropdown-item:first",
            run: "click",
        },
        {
            content: "The card shows one status, the lifecycle; the RFM segment stays off the card",
            trigger:
                ".o_kanban_record:contains(Ladder Tour Trading)" +
                ":has(.o_field_widget[name=customer_lifecycle]:contains(At Risk))" +
                ":not(:has(.o_field_widget[name=rfm_segment])):not(:contains(Champions))",
        },
        {
            content: "Switch to the list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "At 1440 px no header of the customers list is cut",
            trigger: ".o_list_view .o_data_row:contains(Ladder Tour Trading)",
            run() {
                assertHeadersFit(".o_list_view .o_list_table", "Customers list");
            },
        },
        {
            content: "Open the customer",
            trigger: ".o_data_row:contains(Ladder Tour Trading) td[name=name]",
            run: "click",
        },
        {
            content: "Open the Care tab",
            trigger: ".o_notebook .nav-link:contains(Care)",
            run: "click",
        },
        {
            content: "No header of the Care tab is cut",
            trigger: ".o_field_widget[name=care_action_ids] .o_data_row:contains(Ladder tour call)",
            run() {
                assertHeadersFit(".o_field_widget[name=care_action_ids]", "Care tab");
            },
        },
        {
            content: "Open the Customer Relationship tab",
            trigger: ".o_notebook .nav-link:contains(Customer Relationship)",
            run: "click",
        },
        {
            content: "No header of the tier history is cut",
            trigger: ".o_field_widget[name=customer_tier_history_ids] .o_data_row",
            run() {
                assertHeadersFit(".o_field_widget[name=customer_tier_history_ids]", "Tier history");
            },
        },
        {
            content: "The RFM segment is kept for analysis, in the form",
            trigger: ".o_notebook .o_field_widget[name=rfm_segment]:contains(Champions)",
        },
        {
            content: "Open the reporting menu",
            trigger: ".o_main_navbar [data-menu-xmlid='customer_relationship.customer_relationship_menu_reporting']",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='customer_relationship.res_partner_relationship_menu']",
            run: "click",
        },
        {
            content: "The relationship matrix reads its levels from Basic to Partnership",
            trigger: ".o_pivot thead th.o_pivot_header_cell_closed:contains(Proactive)",
            run() {
                assertLadderOrder(
                    ".o_pivot thead th.o_pivot_header_cell_closed",
                    LEVELS,
                    "Relationship matrix columns"
                );
                assertLadderOrder(".o_pivot tbody th.o_pivot_header_cell_closed", TIERS, "Relationship matrix rows");
            },
        },
        {
            content: "Open the lost customers",
            trigger: ".o_main_navbar [data-menu-xmlid='customer_relationship.customer_relationship_menu_reporting']",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='customer_relationship.res_partner_lost_menu']",
            run: "click",
        },
        {
            content: "No header of the lost customers list is cut",
            trigger: ".o_list_view .o_data_row:contains(Ladder Tour Lost)",
            run() {
                assertHeadersFit(".o_list_view .o_list_table", "Lost customers list");
            },
        },
        {
            content: "Open the tier changes",
            trigger: ".o_main_navbar [data-menu-xmlid='customer_relationship.customer_relationship_menu_customers']",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='customer_relationship.customer_tier_history_menu']",
            run: "click",
        },
        {
            content: "No header of the tier changes list is cut",
            trigger: ".o_list_view .o_data_row:contains(Ladder Tour Trading)",
            run() {
                assertHeadersFit(".o_list_view .o_list_table", "Tier changes list");
            },
        },
        {
            content: "Open the tiers",
            trigger: ".o_main_navbar [data-menu-xmlid='customer_relationship.customer_relationship_menu_config']",
            run: "click",
        },
        {
            trigger: ".dropdown-item[data-menu-xmlid='customer_relationship.customer_tier_menu']",
            run: "click",
        },
        {
            content: "No header of the tiers list is cut",
            trigger: ".o_list_view .o_data_row:contains(Platinum)",
            run() {
                assertHeadersFit(".o_list_view .o_list_table", "Tiers list");
            },
        },
    ],
});

registry.category("web_tour.tours").add("customer_relationship_visit_tiers_tour", {
    steps: () => [
        {
            content: "The visits calendar shows the tiers panel, best tier first",
            trigger:
                ".o_calendar_view:has(.o_calendar_renderer)" +
                " .o_search_panel .o_search_panel_filter_value:contains(Ladder Amber Tier)",
            run() {
                assertLadderOrder(
                    ".o_search_panel .o_search_panel_label_title",
                    ["Ladder Zinc Tier", "Ladder Amber Tier"],
                    "Tier panel values"
                );
            },
        },
    ],
});
