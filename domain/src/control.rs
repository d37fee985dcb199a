//! The control-letter algorithm of Ministerial Decree 23/12/1976, used twice in Italy: for the
//! 16th character of the codice fiscale and for the CIN letter of a bank account (BBAN). One
//! implementation, so that the two cannot drift apart.

/// Values of the characters in odd positions (1st, 3rd, …), for `0-9` then `A-Z`. Digits share
/// the values of the letters `A-J`; over the letters alone the table is a permutation of 0..26,
/// which is why one changed letter always changes the control letter.
const ODD: [u32; 36] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // 0-9
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23, // A-Z
];

/// The control letter of `chars`, which must be upper-case ASCII letters and digits (callers
/// check the shape first; anything else counts as 0).
pub(crate) fn control_letter(chars: &[u8]) -> char {
    let sum: u32 = chars
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            let index = match b {
                b'0'..=b'9' => (b - b'0') as usize,
                b'A'..=b'Z' => (b - b'A') as usize + 10,
                _ => return 0,
            };
            // Positions are counted from 1, so index 0 is an odd position.
            if i % 2 == 0 {
                ODD[index]
            } else if index < 10 {
                index as u32
            } else {
                (index - 10) as u32
            }
        })
        .sum();
    (b'A' + (sum % 26) as u8) as char
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_table_is_a_permutation_over_the_letters() {
        let mut seen = ODD[10..].to_vec();
        seen.sort_unstable();
        assert_eq!(seen, (0..26).collect::<Vec<u32>>());
    }

    #[test]
    fn control_letter_of_a_known_codice_fiscale_matches() {
        assert_eq!(control_letter(b"RSSMRA85T10A562"), 'S');
    }
}
