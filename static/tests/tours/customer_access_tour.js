import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";
import { menuSteps } from "./tour_menus";

/** What a salesperson of own customers sees of another salesperson's customer (README, "Access"). */
registry.category("web_tour.tours").add("customer_access_customers_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps(
            "customer_relationship.customer_relationship_menu_root",
            "Open the app"
        ),
        ...menuSteps("customer_relationship_menu_customers", "res_partner_customer_menu"),
        {
            content: "Remove the 'My Customers' facet",
            trigger: ".o_searchview_facet:contains(My Customers) .o_facet_remove",
            run: "click",
        },
        {
            content: "Look for the customers of this test",
            trigger: ".o_searchview:not(:has(.o_searchview_facet)) .o_searchview_input",
            run: "edit Access",
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            trigger: ".o_searchview_facet:contains(Access)",
        },
        {
            content:
                "The salesperson's own customer is listed, not the other salesperson's, whatever the facets",
            trigger:
                ".o_kanban_view:has(.o_kanban_record:contains(Access Own Co)):not(:has(.o_kanban_record:contains(Access Their Co)))",
        },
    ],
});

registry.category("web_tour.tours").add("customer_access_form_tour", {
    steps: () => [
        {
            content: "Odoo's form of another salesperson's customer opens, with its own tabs",
            trigger: ".o_form_view .o_notebook .nav-link[name='contact_addresses']",
        },
        {
            content: "without the Customer Relationship tab",
            trigger: ".o_form_view .o_notebook:not(:has(.nav-link[name='customer_relationship']))",
        },
        {
            content: "nor the buttons of its care actions, tier and salesperson changes",
            trigger:
                ".o_form_view:not(:has(button[name=action_view_care_actions])):not(:has(button[name=action_view_tier_history])):not(:has(button[name=action_view_owner_history]))",
        },
    ],
});
