import { registry } from "@web/core/registry";

// Opened on a planned visit by the test, in a browser granted the geolocation permission and
// placed at given coordinates: check in, then check out, and see where the check-in was.
registry.category("web_tour.tours").add("customer_visit_checkin_tour", {
    steps: () => [
        {
            content: "Check in on the visit",
            trigger: ".o_form_view .o_customer_visit_checkin[name='action_check_in']",
            run: "click",
        },
        {
            content: "Checked in: the check-in tab shows the location was read",
            trigger: ".o_notebook .nav-link[name='checkin']",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name='checkin_state']:contains(Located)",
        },
        {
            content: "Check out",
            trigger: ".o_form_view .o_customer_visit_checkin[name='action_check_out']",
            run: "click",
        },
        {
            content: "Checked out: the time is shown",
            trigger: ".o_field_widget[name='checkout_date'] span:not(:empty)",
        },
    ],
});
