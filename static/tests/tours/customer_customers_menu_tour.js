import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";
import { menuSteps } from "./tour_menus";

/** The Customers menu opens a salesperson's list on their own customers, a manager's on all. */
function customersMenuSteps(mine) {
    return [
        ...stepUtils.goToAppSteps(
            "customer_relationship.customer_relationship_menu_root",
            "Open the app"
        ),
        ...menuSteps("customer_relationship_menu_customers", "res_partner_customer_menu"),
        {
            content: "The customers are shown",
            trigger: ".o_kanban_view .o_kanban_record",
        },
        mine
            ? {
                  content:
                      "A salesperson's list keeps to their own customers, under a facet they can remove",
                  trigger: ".o_searchview_facet:contains(My Customers) .o_facet_remove",
              }
            : {
                  content: "A manager's list shows every customer",
                  trigger: ".o_searchview:not(:has(.o_searchview_facet))",
              },
    ];
}

registry.category("web_tour.tours").add("customer_customers_menu_salesperson_tour", {
    url: "/odoo",
    steps: () => customersMenuSteps(true),
});
registry.category("web_tour.tours").add("customer_customers_menu_manager_tour", {
    url: "/odoo",
    steps: () => customersMenuSteps(false),
});
