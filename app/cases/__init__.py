"""The case screens of member staff, reviewers and coordinators: the queue and its
notifications (`queue`, which holds the blueprint), the case page (`page`, `display`),
its actions (`views`, `questions`, `staff_answers`) and what they share (`forms`,
`support`)."""
