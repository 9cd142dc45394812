import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";
import { menuSteps } from "./tour_menus";

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
                cut
                    .map(
                        (span) =>
                            `${span.textContent.trim()} (${span.clientWidth}/${span.scrollWidth}px)`
                    )
                    .join(", ")
        );
    }
}

registry.category("web_tour.tours").add("customer_relationship_ladders_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps(
            "customer_relationship.customer_relationship_menu_root",
            "Open the app"
        ),
        ...menuSteps("customer_relationship_menu_customers", "res_partner_customer_menu"),
        {
            content: "The tiers panel lists the configured tiers, best first",
            trigger: ".o_search_panel .o_search_panel_filter_value:contains(Lead)",
            run() {
                assertLadderOrder(
                    ".o_search_panel .o_search_panel_label_title",
                    TIERS,
                    "Tier panel values"
                );
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
            content: "Open the customer's care actions from the form's button",
            trigger: ".o_form_view button[name=action_view_care_actions]:contains(1)",
            run: "click",
        },
        {
            content: "No header of the customer's care actions is cut",
            trigger: ".o_list_view .o_data_row:contains(Ladder tour call)",
            run() {
                assertHeadersFit(".o_list_view .o_list_table", "Care actions of the customer");
            },
        },
        {
            content: "Back to the customer",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Ladder Tour Trading)",
            run: "click",
        },
        {
            content: "Open the customer's tier changes",
            trigger: ".o_form_view button[name=action_view_tier_history]",
            run: "click",
        },
        {
            content: "No header of the tier changes is cut",
            trigger: ".o_list_view .o_data_row",
            run() {
                assertHeadersFit(".o_list_view .o_list_table", "Tier changes of the customer");
            },
        },
        {
            content: "Back to the customer",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Ladder Tour Trading)",
            run: "click",
        },
        {
            content: "Open the Customer Relationship tab",
            trigger: ".o_notebook .nav-link:contains(Customer Relationship)",
            run: "click",
        },
        {
            content: "The RFM segment is kept for analysis, in the form",
            trigger: ".o_notebook .o_field_widget[name=rfm_segment]:contains(Champions)",
        },
        ...menuSteps("customer_relationship_menu_reporting", "res_partner_relationship_menu"),
        {
            content: "The relationship matrix reads its levels from Basic to Partnership",
            trigger: ".o_pivot thead th.o_pivot_header_cell_closed:contains(Proactive)",
            run() {
                assertLadderOrder(
                    ".o_pivot thead th.o_pivot_header_cell_closed",
                    LEVELS,
                    "Relationship matrix columns"
                );
                assertLadderOrder(
                    ".o_pivot tbody th.o_pivot_header_cell_closed",
                    TIERS,
                    "Relationship matrix rows"
                );
            },
        },
        ...menuSteps("customer_relationship_menu_reporting", "res_partner_tier_analysis_menu"),
        {
            content: "The tier analysis lists its tiers best first, beside its lifecycle columns",
            trigger: ".o_pivot thead th.o_pivot_header_cell_closed:contains(Active)",
            run() {
                assertLadderOrder(
                    ".o_pivot tbody th.o_pivot_header_cell_closed",
                    TIERS,
                    "Tier analysis rows"
                );
            },
        },
        ...menuSteps("customer_relationship_menu_reporting", "res_partner_lost_menu"),
        {
            content: "No header of the lost customers list is cut",
            trigger: ".o_list_view .o_data_row:contains(Ladder Tour Lost)",
            run() {
                assertHeadersFit(".o_list_view .o_list_table", "Lost customers list");
            },
        },
        ...menuSteps("customer_relationship_menu_customers", "customer_tier_history_menu"),
        {
            content: "No header of the tier changes list is cut",
            trigger: ".o_list_view .o_data_row:contains(Ladder Tour Trading)",
            run() {
                assertHeadersFit(".o_list_view .o_list_table", "Tier changes list");
            },
        },
        ...menuSteps("customer_relationship_menu_config", "customer_tier_menu"),
        {
            content: "No header of the tiers list is cut",
            trigger: ".o_list_view .o_data_row:contains(Platinum)",
            run() {
                assertHeadersFit(".o_list_view .o_list_table", "Tiers list");
            },
        },
    ],
});

/** Throws unless the visits' week grid uses most of the screen and its day names do not overlap. */
function assertCalendarUsable() {
    const grid = document.querySelector(".o_calendar_view .o_calendar_widget");
    const width = grid.getBoundingClientRect().width;
    // The app's own filter side panel (about 300 px) is all that may stand beside the grid.
    if (width < window.innerWidth * 0.7) {
        throw new Error(`The week grid is ${Math.round(width)}px wide at ${window.innerWidth}px`);
    }
    const days = [...grid.querySelectorAll(".fc-col-header-cell .o_cw_day_name")];
    if (days.length !== 7) {
        throw new Error(`${days.length} day headers instead of 7`);
    }
    // Each day's name stays inside its own column header: no overlap with the next one.
    const overflowing = days.filter((day) => {
        const name = day.getBoundingClientRect();
        const cell = day.closest(".fc-col-header-cell").getBoundingClientRect();
        return name.left < cell.left - 1 || name.right > cell.right + 1;
    });
    if (overflowing.length) {
        throw new Error(
            `Day headers overlap: ${days.map((day) => day.textContent.trim()).join(" | ")}`
        );
    }
}

registry.category("web_tour.tours").add("customer_relationship_visit_tiers_tour", {
    steps: () => [
        {
            content: "The visits calendar takes the screen's width, without the tiers search panel",
            trigger:
                ".o_calendar_view:not(:has(.o_search_panel))" +
                " .o_calendar_widget .fc-timegrid-event .o_event_title:contains(Ladder Tour A)",
            run() {
                assertCalendarUsable();
            },
        },
        {
            content: "Its events show their customer, not only their time",
            trigger: ".o_calendar_widget .fc-timegrid-event .o_event_title:contains(Ladder Tour B)",
            run() {
                const titles = [
                    ...document.querySelectorAll(".fc-timegrid-event .o_event_title"),
                ].filter((title) => title.textContent.includes("Ladder Tour"));
                const hidden = titles.filter((title) => title.getBoundingClientRect().width < 80);
                if (titles.length !== 2 || hidden.length) {
                    throw new Error(
                        `Event titles squeezed: ${titles
                            .map((title) => title.clientWidth)
                            .join(", ")}`
                    );
                }
            },
        },
        {
            content: "Switch to the list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "The list has the tiers panel, best tier first",
            trigger:
                ".o_list_view .o_search_panel .o_search_panel_filter_value:contains(Ladder Amber Tier)",
            run() {
                assertLadderOrder(
                    ".o_search_panel .o_search_panel_label_title",
                    ["Ladder Zinc Tier", "Ladder Amber Tier"],
                    "Tier panel values"
                );
            },
        },
        {
            content: "Switch to the kanban",
            trigger: ".o_switch_view.o_kanban",
            run: "click",
        },
        {
            content: "The kanban has the same panel, in the same order",
            trigger:
                ".o_kanban_view .o_search_panel .o_search_panel_filter_value:contains(Ladder Amber Tier)",
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
