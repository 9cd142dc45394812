import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";
import { menuSteps } from "./tour_menus";

// Two planned visits of "Tour Agenda Co" today, set up by the test: a phone call at 09:00
// local time and, later, an on-site visit. The Visits menu lists them soonest first, and names
// them by customer and time, never by reference (VIS/...).
registry.category("web_tour.tours").add("customer_visit_names_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps(
            "customer_relationship.customer_relationship_menu_root",
            "Open the Customer Relationship app"
        ),
        ...menuSteps("customer_relationship_menu_visits", "customer_visit_menu"),
        {
            content: "The Visits menu opens on my planned visits",
            trigger: ".o_searchview_facet:contains(Planned)",
        },
        {
            content: "Search the customer",
            trigger: ".o_searchview_input",
            run: "edit Tour Agenda Co",
        },
        {
            trigger: ".o_searchview_autocomplete .o-dropdown-item:first",
            run: "click",
        },
        {
            trigger: ".o_searchview_facet:contains(Tour Agenda Co)",
        },
        {
            content:
                "Kanban: the soonest visit comes first, shown by its customer, without the reference",
            trigger:
                ".o_kanban_group:contains(Planned) .o_kanban_record:first:contains(Tour Agenda Co):contains(Phone)" +
                ":not(:contains(VIS/))",
        },
        {
            trigger: ".o_kanban_group:contains(Planned) .o_kanban_record:eq(1):contains(On Site)",
        },
        {
            content: "Switch to the list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content:
                "List: the soonest visit comes first, shown by its customer, without the reference",
            trigger:
                ".o_list_view .o_data_row:first:contains(Tour Agenda Co):contains(Phone):not(:contains(VIS/))",
        },
        {
            trigger: ".o_list_view .o_data_row:eq(1):contains(On Site)",
        },
        {
            content: "Open the soonest visit",
            trigger: ".o_list_view .o_data_row:first .o_data_cell[name=partner_id]",
            run: "click",
        },
        {
            content:
                "The breadcrumb names the visit by customer and time; the form keeps the reference",
            trigger:
                ".o_breadcrumb .o_last_breadcrumb_item:contains(Tour Agenda Co · ):contains(09:00)",
        },
        {
            trigger: ".o_form_view .oe_title [name=name]:contains(VIS/)",
        },
        {
            content: "Back to the visits",
            trigger: ".o_breadcrumb .breadcrumb-item.o_back_button",
            run: "click",
        },
        {
            content: "Switch to the calendar",
            trigger: ".o_switch_view.o_calendar",
            run: "click",
        },
        {
            content: "Calendar: the visit is titled by its customer and time",
            trigger:
                ".o_calendar_renderer .fc-event:contains(Tour Agenda Co · ):contains(09:00):not(:contains(VIS/))",
        },
    ],
});

registry.category("web_tour.tours").add("customer_relationship_settings_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps(
            "customer_relationship.customer_relationship_menu_root",
            "Open the Customer Relationship app"
        ),
        ...menuSteps("customer_relationship_menu_config", "customer_relationship_settings_menu"),
        {
            content: "Settings open on the Customer Relationship app",
            trigger: ".settings_tab .tab.selected[data-key=customer_relationship]",
        },
        {
            content: "... showing its block, not the Sales settings",
            trigger:
                ".settings:not(:has(.app_settings_block[data-key=sale_management])) " +
                ".app_settings_block[data-key=customer_relationship] h2:contains(Customer Relationship)",
        },
        {
            content: "At Risk After (days) says what 0 means",
            trigger:
                ".app_settings_block[data-key=customer_relationship] " +
                "#customer_at_risk_days_hint:contains(0 = only after 1.5 ×)",
        },
    ],
});
