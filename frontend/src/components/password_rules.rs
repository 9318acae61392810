//! The rules for the key file's password, shown before typing and enforced on *Next*. The
//! same password later opens the key file on the collect page and protects the .p12.

/// Shortest password, counted in characters (not bytes).
pub const MIN_LENGTH: usize = 10;
/// zxcvbn's score a password must reach: 3 means more than 10⁸ guesses, zxcvbn's advice for
/// files an attacker may copy and then try passwords on (here slowed by PBKDF2 as well).
pub const MIN_SCORE: u8 = 3;
/// Without the strength meter (its bundle did not load) only length can stand in for it.
pub const MIN_LENGTH_WITHOUT_METER: usize = 16;

/// One rule the password breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    /// Shorter than [`MIN_LENGTH`] characters.
    TooShort,
    /// The meter scores it below [`MIN_SCORE`].
    TooEasyToGuess,
    /// No meter, and shorter than [`MIN_LENGTH_WITHOUT_METER`].
    TooShortWithoutMeter,
    /// The two fields differ.
    Mismatch,
}

/// What the meter knows about the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meter {
    /// The meter's bundle is still loading or the estimate is under way.
    Pending,
    /// zxcvbn's score (0 to 4) of the password as typed now.
    Score(u8),
    /// The meter could not be loaded.
    Unavailable,
}

/// Every rule `password` (typed twice) breaks, in the order the page lists the rules; empty
/// when it may be used.
pub fn check(password: &str, confirm: &str, meter: Meter) -> Vec<PasswordProblem> {
    let mut problems = Vec::new();
    let length = password.chars().count();
    if length < MIN_LENGTH {
        problems.push(PasswordProblem::TooShort);
    } else {
        match meter {
            Meter::Score(score) if score < MIN_SCORE => {
                problems.push(PasswordProblem::TooEasyToGuess);
            }
            Meter::Score(_) => {}
            Meter::Pending | Meter::Unavailable => {
                if length < MIN_LENGTH_WITHOUT_METER {
                    problems.push(PasswordProblem::TooShortWithoutMeter);
                }
            }
        }
    }
    if password != confirm {
        problems.push(PasswordProblem::Mismatch);
    }
    problems
}
