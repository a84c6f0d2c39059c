// Evaluates one EventBridge event pattern on named events with AWS's event-ruler, two ways: a Machine (the
// engine EventBridge runs) and Ruler.matchesRule. Reads {"pattern": {...}, "events": {"name": {...}}} on
// stdin; writes {"name": {"machine": true|false, "matchesRule": true|false}} on stdout. Run with
// `java -cp <classpath> MatchEvents.java` (Java 11+ source launcher; nothing to compile).
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import software.amazon.event.ruler.Machine;
import software.amazon.event.ruler.Ruler;

// matchesRule is deprecated in favour of the Machine; it is kept as a second opinion.
@SuppressWarnings("deprecation")
public class MatchEvents {
  public static void main(String[] args) throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    JsonNode input = mapper.readTree(System.in);
    String pattern = mapper.writeValueAsString(input.get("pattern"));
    Machine machine = new Machine();
    machine.addRule("rule", pattern);
    ObjectNode output = mapper.createObjectNode();
    Iterator<Map.Entry<String, JsonNode>> events = input.get("events").fields();
    while (events.hasNext()) {
      Map.Entry<String, JsonNode> entry = events.next();
      String event = mapper.writeValueAsString(entry.getValue());
      ObjectNode result = output.putObject(entry.getKey());
      result.put("machine", !machine.rulesForJSONEvent(event).isEmpty());
      result.put("matchesRule", Ruler.matchesRule(event, pattern));
    }
    System.out.println(mapper.writeValueAsString(output));
  }
}
