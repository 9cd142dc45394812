import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";
import { menuSteps } from "./tour_menus";

registry.category("web_tour.tours").add("customer_relationship_tier_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps(
            "customer_relationship.customer_relationship_menu_root",
            "Open the Customer Relationship app"
        ),
        {
            content: "The app opens on My Day: what the customers need, the most valuable first",
            trigger: ".o_breadcrumb:contains(My Day)",
        },
        {
            trigger: ".o_search_panel_filter_value:contains(Contact Due) .o_search_panel_counter",
        },
        ...menuSteps("customer_relationship_menu_customers", "res_partner_customer_menu"),
        {
            content: "The customers kanban is grouped by tier",
            trigger: ".o_kanban_group .o_column_title:contains(Platinum)",
        },
        {
            content: "Search the tour customer",
            trigger: ".o_searchview_input",
            run: "edit Tour Trading Co",
        },
        {
            trigger: ".o_searchview_autocomplete .o-dropdown-item:first",
            run: "click",
        },
        {
            content: "Open the customer",
            trigger: ".o_kanban_record:contains(Tour Trading Co)",
            run: "click",
        },
        {
            content: "Open the Customer Relationship tab",
            trigger: ".o_notebook .nav-link:contains(Customer Relationship)",
            run: "click",
        },
        {
            content: "The tier and lifecycle are shown",
            trigger: ".o_notebook .o_field_widget[name=customer_lifecycle]:contains(Prospect)",
        },
    ],
});
