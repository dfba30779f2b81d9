// The IPC commands, listed once: build.rs turns the list into one permission per command (and
// checks capabilities/default.json grants exactly those), and lib.rs into the invoke handler.
// Included by both, so it is plain `macro_rules!` with no `//!` header.
macro_rules! with_commands {
    ($then:ident) => {
        $then! {
            get_catalog, get_state, choose_flow, next_step, previous_step, open_step, start_over, dismiss_notice,
            open_url, ui_painted, signin_status, signin_settings, sign_in, sign_in_with_device_code, sign_in_with_azure_cli, sign_in_extend, sign_in_cancel, sign_out, use_memory_tokens,
            run_check, regenerate_link, demo_status, demo_reset, about, loopback_self_test, save_support_bundle
        }
    };
}
