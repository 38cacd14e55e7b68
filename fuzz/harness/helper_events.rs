//! Fuzz body: the unprivileged side reading the privileged helper's stdout (JSON Lines
//! events, or text from the helper or the escalation tool), the outcome it concludes, and
//! the TUI's write state the events are applied to.

use skiff::flash::helper_reply::{outcome, read_line};
use skiff::flash::{FlashError, FlashEvent};
use skiff::ui::flash::state::FlashRun;
use skiff::ui::flash::types::FlashAction;

pub fn run(data: &[u8]) {
    let action = match data.first().map(|b| b % 3) {
        Some(0) => FlashAction::Format,
        Some(1) => FlashAction::Install,
        _ => FlashAction::WriteImage,
    };
    let text = String::from_utf8_lossy(data);
    let mut run = FlashRun {
        device: true,
        in_place: true,
        source: "os.img".into(),
        ..FlashRun::new(1, action, "sdb".into(), "32 GB USB".into())
    };
    for line in text.lines() {
        let Some(event) = read_line(line) else {
            assert!(line.trim().is_empty());
            continue;
        };
        // What skiff prints with --json reads back as the same kind of event.
        let again = read_line(&event.to_json_line()).expect("own line reads back");
        assert_eq!(
            std::mem::discriminant(&again),
            std::mem::discriminant(&event),
            "{line:?}"
        );
        match outcome(&event) {
            Some(Err(e @ FlashError::Helper { .. })) => {
                assert!([1, 2, 3, 130].contains(&e.exit_code()), "{e:?}");
            }
            Some(Err(e)) => panic!("unexpected error kind {e:?}"),
            Some(Ok(_)) => assert!(matches!(event, FlashEvent::Done { .. })),
            None => {}
        }
        run.apply(event);
        assert!(run.messages.len() <= 50);
        for phase in run.phases() {
            assert!(run.done.iter().filter(|d| d.phase == *phase).count() <= 1);
        }
    }
}
