// The pages' only script, loaded with the CSP nonce of its page. It adds comfort, never content:
// every page works without it. It never builds HTML from data (textContent and attributes only).
document.addEventListener('DOMContentLoaded', function () {
  var toggle = document.getElementById('toggle-all');
  var calls = document.querySelectorAll('details.tool-call');
  if (toggle && calls.length > 0) {
    toggle.hidden = false;
    toggle.addEventListener('click', function () {
      var open = toggle.dataset.open !== 'true';
      calls.forEach(function (d) { d.open = open; });
      toggle.dataset.open = String(open);
      toggle.textContent = open ? 'Fold all tool calls' : 'Unfold all tool calls';
    });
  }
  // a share that follows has no fixed turn: the turn choice is off while follow is ticked
  var follow = document.getElementById('follow');
  var until = document.getElementById('until');
  if (follow && until) {
    var sync = function () { until.disabled = follow.checked; };
    follow.addEventListener('change', sync);
    sync();
  }
  var expiry = document.getElementById('expiry');
  var seconds = document.getElementById('expiry-seconds');
  if (expiry && seconds) {
    var syncExpiry = function () { seconds.hidden = expiry.value !== 'seconds'; };
    expiry.addEventListener('change', syncExpiry);
    syncExpiry();
  }
  var copy = document.getElementById('copy-link');
  if (copy && navigator.clipboard) {
    copy.addEventListener('click', function () {
      navigator.clipboard.writeText(copy.dataset.copy).then(function () { copy.textContent = 'Copied'; });
    });
  } else if (copy) {
    copy.hidden = true;
  }
});
