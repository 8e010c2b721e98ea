// Reveal questions as the reporter answers. Without this script every question is
// shown and the server ignores answers to questions that do not apply.
(function () {
  var form = document.querySelector("form[data-questionnaire]");
  if (!form) { return; }
  var items = form.querySelectorAll("[data-show-if-field]");
  function values(name) {
    var found = [];
    form.querySelectorAll("[name='" + name.replace(/'/g, "") + "']").forEach(function (input) {
      if (input.type === "checkbox" && input.value === "y") {
        // A yes/no box: unticked is an answer too ("false"), as the server reads it.
        found.push(input.checked ? "true" : "false");
      } else if (input.type === "checkbox" || input.type === "radio") {
        if (input.checked) { found.push(input.value); }
      } else if (input.tagName === "SELECT" && input.multiple) {
        Array.prototype.forEach.call(input.selectedOptions, function (o) { found.push(o.value); });
      } else { found.push(input.value); }
    });
    return found;
  }
  function shown(item, depth) {
    if (depth > 20) { return false; }
    var name = item.getAttribute("data-show-if-field");
    var wanted = JSON.parse(item.getAttribute("data-show-if-values") || "[]");
    var control = form.querySelector("[name='" + name.replace(/'/g, "") + "']");
    var holder = control && control.closest("[data-show-if-field]");
    if (holder && holder !== item && !shown(holder, depth + 1)) { return false; }
    return values(name).some(function (v) { return wanted.indexOf(v) !== -1; });
  }
  function update() {
    items.forEach(function (item) { item.hidden = !shown(item, 0); });
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
}());
