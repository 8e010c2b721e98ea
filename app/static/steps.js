// On a questionnaire step, put the keyboard and screen reader where the reporter needs
// to be: the error summary when something must be corrected, else the step heading
// ("Step 3 of 11 ...") so the new step is announced. Without this script the page
// title says the same.
(function () {
  var target = document.getElementById("error-summary") || document.getElementById("step-heading");
  if (target && !window.location.hash) { target.focus(); }
}());
