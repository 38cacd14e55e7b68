//! Reading the privileged helper's standard output on the unprivileged side: each line is an
//! event or text (from the helper or the escalation tool), and `done`/`failed` state the outcome.

use super::engine::Summary;
use super::error::FlashError;
use super::event::FlashEvent;

/// Exit codes a helper may report for a failure; anything else (0 included) is treated as an
/// internal error, so a failed write never ends skiff with success or an undocumented code.
const FAILURE_CODES: [i32; 4] = [1, 2, 3, 130];

/// One line of the helper's output: its event, text to show as a notice, or `None` when blank.
pub fn read_line(line: &str) -> Option<FlashEvent> {
    match serde_json::from_str::<FlashEvent>(line) {
        Ok(event) => Some(event),
        Err(_) if !line.trim().is_empty() => Some(FlashEvent::Notice {
            message: line.to_string(),
        }),
        Err(_) => None,
    }
}

/// The outcome an event states: `done` is a success, `failed` an error with the helper's
/// message and exit code; other events state none.
pub fn outcome(event: &FlashEvent) -> Option<Result<Summary, FlashError>> {
    match event {
        FlashEvent::Done {
            written,
            verified,
            image_len,
            secs,
        } => Some(Ok(Summary {
            written: *written,
            verified: *verified,
            image_len: *image_len,
            secs: *secs,
        })),
        FlashEvent::Failed {
            message,
            exit_code,
            reason,
            phase,
        } => Some(Err(FlashError::Helper {
            message: message.clone(),
            exit_code: if FAILURE_CODES.contains(exit_code) {
                *exit_code
            } else {
                2
            },
            reason: *reason,
            phase: *phase,
        })),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_events_or_notices() {
        let done = r#"{"event":"done","written":4,"verified":4,"image_len":8,"secs":0.5}"#;
        assert!(matches!(
            read_line(done),
            Some(FlashEvent::Done { written: 4, .. })
        ));
        assert_eq!(
            read_line("sudo: password for u:"),
            Some(FlashEvent::Notice {
                message: "sudo: password for u:".into()
            })
        );
        assert_eq!(read_line("  \r"), None);
    }

    #[test]
    fn a_failure_never_reports_success_or_an_undocumented_code() {
        for (reported, expected) in [(3, 3), (130, 130), (0, 2), (-1, 2), (42, 2)] {
            let event = FlashEvent::Failed {
                message: "no".into(),
                exit_code: reported,
                reason: Default::default(),
                phase: Default::default(),
            };
            match outcome(&event) {
                Some(Err(e)) => assert_eq!(e.exit_code(), expected, "{reported}"),
                other => panic!("{other:?}"),
            }
        }
        assert!(
            outcome(&FlashEvent::Notice {
                message: "x".into()
            })
            .is_none()
        );
    }
}
