import software.amazon.event.ruler.Machine;
import software.amazon.event.ruler.JsonRuleCompiler;
import com.fasterxml.jackson.databind.*;
import com.fasterxml.jackson.databind.node.*;
import java.io.*;
// reads JSON lines {"pattern": "...", "event": "..."} and prints {"valid":..,"match":..,"error":..}
public class Driver {
  public static void main(String[] a) throws Exception {
    ObjectMapper m = new ObjectMapper();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
    PrintStream out = new PrintStream(System.out, true, "UTF-8");
    String line;
    while ((line = in.readLine()) != null) {
      JsonNode n = m.readTree(line);
      ObjectNode r = m.createObjectNode();
      String pattern = n.get("pattern").asText();
      String err = JsonRuleCompiler.check(pattern);
      r.put("modern", err == null);
      if (err != null) r.put("modern_error", err);
      r.put("valid", true);
      try {
        Machine mc = new Machine();
        mc.addRule("r", pattern);
        boolean hit = !mc.rulesForJSONEvent(n.get("event").asText()).isEmpty();
        r.put("match", hit);
      } catch (Throwable t) { r.put("valid", false); r.put("error", "" + t); }
      out.println(r);
    }
  }
}
