import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";
import { menuSteps } from "./tour_menus";

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
        ...menuSteps("customer_relationship_menu_customers", "customer_pool_account_menu"),
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
        ...menuSteps("customer_relationship_menu_customers", "res_partner_customer_menu"),
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
