import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

/**
 * A salesperson opens the customer pool, claims a Gold customer and finds it among their customers.
 * Started by tests/test_customer_pool_ui.py, which puts "Pool Tour Gold Co" in a pool.
 */
registry.category("web_tour.tours").add("customer_pool_claim_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps(
            "customer_relationship.customer_relationship_menu_root",
            "Open the Customer Relationship app"
        ),
        {
            content: "Open the Customers menu",
            trigger:
                ".o_main_navbar [data-menu-xmlid='customer_relationship.customer_relationship_menu_customers']",
            run: "click",
        },
        {
            content: "Open the customer pool",
            trigger:
                ".dropdown-item[data-menu-xmlid='customer_relationship.customer_pool_account_menu']",
            run: "click",
        },
        {
            content:
                "The pool's customers are grouped by tier: the Gold customer is in the Gold column",
            trigger:
                ".o_kanban_group:has(.o_column_title:contains(Gold)) .o_kanban_record:contains(Pool Tour Gold Co)",
        },
        {
            content: "Claim it",
            trigger: ".o_kanban_record:contains(Pool Tour Gold Co) button.o_pool_claim",
            run: "click",
        },
        {
            content: "It is the salesperson's customer now",
            trigger: ".o_notification:contains(Pool Tour Gold Co is now your customer)",
        },
        {
            content: "It left the pool",
            trigger: ".o_kanban_view:not(:has(.o_kanban_record:contains(Pool Tour Gold Co)))",
        },
        {
            content: "Open the Customers menu again",
            trigger:
                ".o_main_navbar [data-menu-xmlid='customer_relationship.customer_relationship_menu_customers']",
            run: "click",
        },
        {
            content: "Open the customers",
            trigger:
                ".dropdown-item[data-menu-xmlid='customer_relationship.res_partner_customer_menu']",
            run: "click",
        },
        {
            content: "The claimed customer is among my customers",
            trigger: ".o_searchview_facet:contains(My Customers)",
        },
        {
            content: "Found it",
            trigger: ".o_kanban_record:contains(Pool Tour Gold Co)",
        },
    ],
});
