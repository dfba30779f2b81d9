//! The one WebKitGTK setting the app chooses for itself (Linux only), before the window exists.
//!
//! Without a GPU render node (`/dev/dri/renderD*`: virtual machines, remote desktops, Xvfb),
//! WebKitGTK 2.50's DMA-BUF renderer draws through software GL, and the app's first screen took
//! 1.3–1.7 s to paint where the same screen without that renderer took 0.35–0.55 s, and looked the
//! same (measured under Xvfb, see docs/BENCHMARKS.md). With a render node the default is left
//! alone: the hardware path is the one WebKit means to be used. A user's own
//! `WEBKIT_DISABLE_*` setting always wins.

/// The variable set when there is no render node.
pub const VARIABLE: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";

/// What to set, if anything: `has_render_node` says whether the machine has a GPU render node,
/// `is_set` whether an environment variable is already set.
pub fn renderer_setting(has_render_node: bool, is_set: impl Fn(&str) -> bool) -> Option<(&'static str, &'static str)> {
    let user_chose = [VARIABLE, "WEBKIT_DISABLE_COMPOSITING_MODE"].iter().any(|v| is_set(v));
    (!has_render_node && !user_chose).then_some((VARIABLE, "1"))
}

/// Whether `/dev/dri` holds a render node.
pub fn has_render_node() -> bool {
    std::fs::read_dir("/dev/dri")
        .map(|dir| dir.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD")))
        .unwrap_or(false)
}

/// Applies [`renderer_setting`] to this process. Call it first in `main`, before any thread
/// starts, since it changes the environment.
pub fn choose_renderer() {
    if cfg!(target_os = "linux") {
        if let Some((name, value)) = renderer_setting(has_render_node(), |v| std::env::var_os(v).is_some()) {
            std::env::set_var(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_software_path_is_chosen_only_without_a_gpu_and_never_over_the_users_choice() {
        assert_eq!(renderer_setting(false, |_| false), Some((VARIABLE, "1")));
        assert_eq!(renderer_setting(true, |_| false), None);
        assert_eq!(renderer_setting(false, |v| v == "WEBKIT_DISABLE_COMPOSITING_MODE"), None);
        assert_eq!(renderer_setting(false, |v| v == VARIABLE), None);
    }
}
