// Mounts GraphiQL for Phoenix Profiles. Loaded as an external file because the
// page's CSP allows no inline script; the server hands over its values through
// data- attributes and a meta tag instead.
(function () {
  "use strict";

  var mount = document.getElementById("graphiql");
  var tokenInput = document.getElementById("phoenix-token");
  var devToken = document.querySelector('meta[name="phoenix-dev-token"]');

  if (devToken && !tokenInput.value) {
    tokenInput.value = devToken.content;
  }

  // Read the field on every request, so a pasted token applies at once.
  function currentToken() {
    return tokenInput.value.trim().replace(/^Bearer\s+/i, "");
  }

  async function fetcher(params, options) {
    var headers = Object.assign({}, options && options.headers, {
      "Content-Type": "application/json",
      Accept: "application/graphql-response+json, application/json",
    });
    var token = currentToken();
    if (token) {
      headers.Authorization = "Bearer " + token;
    }
    var response = await fetch(mount.dataset.endpoint, {
      method: "POST",
      headers: headers,
      body: JSON.stringify(params),
      credentials: "same-origin",
    });
    var body = await response.text();
    try {
      return JSON.parse(body);
    } catch (notJson) {
      throw new Error("HTTP " + response.status + ": " + body);
    }
  }

  ReactDOM.createRoot(mount).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: mount.dataset.defaultQuery,
    })
  );
})();
