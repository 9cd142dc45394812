import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";
import { menuSteps } from "./tour_menus";

/** Reporting > Prediction Check opens the company's back-test, and Check Again runs a new one. */
registry.category("web_tour.tours").add("customer_prediction_check_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps(
            "customer_relationship.customer_relationship_menu_root",
            "Open the app"
        ),
        ...menuSteps("customer_relationship_menu_reporting", "customer_prediction_check_menu"),
        {
            content: "The back-test shows its cut date and the return rate per lifecycle",
            trigger: ".o_form_view .o_field_widget[name=cut_date]:not(:empty)",
        },
        {
            content: "The lifecycle table is there",
            trigger: ".o_form_view .o_notebook .nav-link:contains(Per Lifecycle at the Cut)",
        },
        {
            content: "Check again",
            trigger: ".o_form_view button[name=action_run_again]",
            run: "click",
        },
        {
            content: "The new check opens on top of the first one",
            trigger: ".o_breadcrumb .breadcrumb-item.o_back_button",
        },
        {
            content: "with its figures",
            trigger: ".o_form_view .o_field_widget[name=cut_date]:not(:empty)",
        },
    ],
});
