// The board as a Matrix widget: ask the client (Element) for an OpenID token through the
// widget API, hand it to the bot, which verifies it with the user's homeserver and opens
// a session; then show the board. No token or user id ever goes into a URL.
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var parent = params.get("parentUrl");
  var origin = parent ? new URL(parent).origin : undefined;
  var api = new window.mxwidgets.WidgetApi(params.get("widgetId"), origin);
  function fail() {
    document.getElementById("widget-status").hidden = true;
    document.getElementById("widget-failed").hidden = false;
  }
  api.on("ready", function () {
    api.requestOpenIDConnectToken().then(function (credentials) {
      return fetch("/board/widget/session", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          access_token: credentials.access_token,
          matrix_server_name: credentials.matrix_server_name
        })
      });
    }).then(function (response) {
      if (response.ok) {
        window.location.replace("/board?lang=" + document.documentElement.lang);
      } else {
        fail();
      }
    }).catch(fail);
  });
  api.start();
})();
